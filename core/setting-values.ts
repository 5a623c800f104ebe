/**
 * Parsers for settings given as text (environment variables, CDK context, flags). Each names the
 * setting in its error, says what was wrong and what it accepts: a bad value fails loudly, it is
 * never clamped or ignored.
 */

export function parseBoolean(name: string, raw: string): boolean {
  if (/^(1|true|yes)$/i.test(raw)) return true;
  if (/^(0|false|no)$/i.test(raw)) return false;
  throw new Error(`${name} must be true or false (got "${raw}")`);
}

/** A whole number, within [min, max] when given. */
export function parseWholeNumber(
  name: string,
  raw: string,
  range: { min?: number; max?: number } = {},
): number {
  if (!/^\d+$/.test(raw)) throw new Error(`${name} must be a whole number (got "${raw}")`);
  const n = Number(raw);
  const { min, max } = range;
  if ((min !== undefined && n < min) || (max !== undefined && n > max)) {
    const bounds =
      min !== undefined && max !== undefined
        ? `${min}–${max}`
        : min !== undefined
          ? `at least ${min}`
          : `at most ${max}`;
    throw new Error(`${name} must be ${bounds} (got ${n})`);
  }
  return n;
}

export function parseChoice<T extends string>(name: string, raw: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(raw)) return raw as T;
  throw new Error(`${name} must be ${choices.slice(0, -1).join(', ')} or ${choices.at(-1)} (got "${raw}")`);
}
