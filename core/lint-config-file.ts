import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_FILE_NAMES, type LintConfig, parseLintConfig, policyFor } from './lint-config.ts';
import type { PackPolicy } from './lint-policy.ts';

/**
 * The nearest `.packyard.yaml` from `dir` upward, stopping at the repository root (a folder
 * holding `.git`) or the filesystem root. `seen` keeps each folder's answer across calls: the
 * packs of one run share their parent folders, so each is looked at once.
 */
export function findLintConfig(
  dir: string,
  seen = new Map<string, string | undefined>(),
): string | undefined {
  const d = path.resolve(dir);
  if (seen.has(d)) return seen.get(d);
  let found: string | undefined;
  for (const name of CONFIG_FILE_NAMES) {
    const f = path.join(d, name);
    if (existsSync(f) && statSync(f).isFile()) {
      found = f;
      break;
    }
  }
  if (found === undefined) {
    const parent = path.dirname(d);
    if (!existsSync(path.join(d, '.git')) && parent !== d) found = findLintConfig(parent, seen);
  }
  seen.set(d, found);
  return found;
}

/** Reads and validates a config file (throws LintConfigError with file:line problems). */
export function loadLintConfig(file: string): LintConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read lint config ${file}: ${(err as Error).message}`);
  }
  return parseLintConfig(text, file);
}

/**
 * Policies for pack folders: from `explicit` when given (a --config flag or Action input), else
 * from each pack's nearest `.packyard.yaml`. Each file is read once per run.
 */
export function lintPolicies(explicit?: string): (packDir: string) => PackPolicy | undefined {
  const cache = new Map<string, LintConfig>();
  const found = new Map<string, string | undefined>();
  const load = (file: string) => {
    let c = cache.get(file);
    if (!c) {
      c = loadLintConfig(file);
      cache.set(file, c);
    }
    return c;
  };
  if (explicit) load(path.resolve(explicit)); // a bad --config fails before any pack is linted
  return (packDir) => {
    const file = explicit ? path.resolve(explicit) : findLintConfig(packDir, found);
    if (!file) return undefined;
    const rel = path.relative(path.dirname(file), path.resolve(packDir)).split(path.sep).join('/');
    return policyFor(load(file), rel);
  };
}
