import { Option } from 'commander';
import { SETTINGS, type Setting, type SettingKey } from '../lambdas/registry/settings.ts';

/** A `packyard serve` flag made from the registry setting it sets (lambdas/registry/settings.ts). */
export function serveFlag(key: SettingKey): Option {
  const s: Setting<unknown> = SETTINGS[key];
  if (!s.flag) throw new Error(`the registry setting ${key} has no serve flag`);
  const option = new Option(s.flag, s.describe);
  if (s.choices) option.choices(s.choices);
  if (s.default !== undefined) option.default(s.default);
  if (s.flagReadsEnv) option.env(s.env);
  return option;
}
