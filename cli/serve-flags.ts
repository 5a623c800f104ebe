import { Option } from 'commander';
import { SETTINGS, type Setting, type SettingKey, type SettingValues } from '../lambdas/registry/settings.ts';
import { UsageError } from './io.ts';

/** A `packyard serve` flag made from the registry setting it sets (lambdas/registry/settings.ts). */
export function serveFlag(key: SettingKey): Option {
  const s: Setting<unknown> = SETTINGS[key];
  if (!s.flag) throw new Error(`the registry setting ${key} has no serve flag`);
  const option = new Option(s.flag, s.describe);
  if (s.choices) option.choices(s.choices);
  // A switch is off unless given: "(default: false)" in --help would say nothing.
  if (s.default !== undefined && s.default !== false) option.default(s.default);
  if (s.flagReadsEnv) option.env(s.env);
  return option;
}

/**
 * A serve flag's value (from commander's parsed `opts`) as its setting holds it: text, from the
 * command line or the variable the flag reads, checked by the setting's own rule naming the
 * flag; a usage error when malformed. Defaults are already typed.
 */
export function serveFlagValue<K extends SettingKey>(
  key: K,
  opts: Record<string, unknown>,
): SettingValues[K] | undefined {
  const option = serveFlag(key);
  const value = opts[option.attributeName()];
  if (typeof value !== 'string') return value as SettingValues[K] | undefined;
  const s: Setting<SettingValues[K]> = SETTINGS[key] as Setting<SettingValues[K]>;
  try {
    return s.parse(value, s.flagReadsEnv ? `${option.long} (or ${s.env})` : (option.long ?? key));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
