import type { RetentionRule } from './retention.ts';

/**
 * The retention setting: a JSON array of rules, from `PACKYARD_RETENTION` (the GC Lambda; the CDK
 * construct's `retention` prop sets it) or `packyard gc --retention` (JSON, or @file). Parsed
 * strictly: a typo must not silently keep (or delete) the wrong versions.
 */
export const RETENTION_ENV = 'PACKYARD_RETENTION';

const KEYS = new Set(['prefix', 'keepLast', 'keepNewerThan', 'keepNewerThanDays', 'protectTags']);

export function parseRetention(text: string, where: string): RetentionRule[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`${where}: retention rules are not JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(doc)) throw new Error(`${where}: retention rules must be a JSON array of rules`);
  return doc.map((raw, i) => {
    const at = `${where}[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new Error(`${at}: a rule is an object`);
    const r = raw as Record<string, unknown>;
    for (const k of Object.keys(r))
      if (!KEYS.has(k)) throw new Error(`${at}: unknown key "${k}" (known: ${[...KEYS].join(', ')})`);
    if (typeof r.prefix !== 'string')
      throw new Error(`${at}.prefix: a repository prefix string is required ('' = all)`);
    const rule: RetentionRule = { prefix: r.prefix };
    if (r.keepLast !== undefined) {
      if (!Number.isSafeInteger(r.keepLast) || (r.keepLast as number) < 1)
        throw new Error(`${at}.keepLast: a whole number of versions, at least 1`);
      rule.keepLast = r.keepLast as number;
    }
    if (r.keepNewerThan !== undefined) {
      if (typeof r.keepNewerThan !== 'string' || Number.isNaN(Date.parse(r.keepNewerThan)))
        throw new Error(`${at}.keepNewerThan: an ISO date such as 2026-01-01`);
      rule.keepNewerThan = new Date(r.keepNewerThan).toISOString();
    }
    if (r.keepNewerThanDays !== undefined) {
      if (typeof r.keepNewerThanDays !== 'number' || !(r.keepNewerThanDays >= 0))
        throw new Error(`${at}.keepNewerThanDays: a number of days`);
      rule.keepNewerThanDays = r.keepNewerThanDays;
    }
    if (r.protectTags !== undefined) {
      if (!Array.isArray(r.protectTags) || !r.protectTags.every((t) => typeof t === 'string'))
        throw new Error(`${at}.protectTags: a list of tag names`);
      rule.protectTags = r.protectTags as string[];
    }
    return rule;
  });
}

/** Rules from the environment ([] when unset). */
export function retentionFromEnv(env: NodeJS.ProcessEnv): RetentionRule[] {
  const text = env[RETENTION_ENV];
  return text ? parseRetention(text, RETENTION_ENV) : [];
}
