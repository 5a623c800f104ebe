/**
 * Deployment lint policy: the same `.packyard.yaml` format the CLI and the Action read, from the
 * lintConfig setting (settings.ts, PACKYARD_LINT_CONFIG) — the YAML itself (what a Lambda
 * environment carries), or a file path when the value starts with "/" or "./" (`packyard serve`).
 * The registry has no pack folders, so `packs:` patterns and `ignore:` files match against
 * `<pack name>/…`, and `names:` against the name. Parsed once per process, on the first push (the
 * linter is most of the bundle: not loaded at cold start); a bad setting refuses pushes with its
 * file:line problems (reads keep working). `packyard serve` and the synth check it up front.
 */
import { readFileSync } from 'node:fs';
import type { LintConfig } from '../../core/lint-config.ts';
import type { PackPolicy } from '../../core/lint-policy.ts';
import { isLintConfigPath, SETTINGS } from './settings.ts';

export const LINT_CONFIG_ENV = SETTINGS.lintConfig.env;

type Policy = (name: string) => PackPolicy;
/** What core/lint-config.ts provides: loaded lazily here, statically by the synth. */
export interface LintConfigParser {
  parseLintConfig(text: string, file: string): LintConfig;
  policyFor(config: LintConfig, packPath: string | undefined): PackPolicy;
}

type Loaded = { ok: true; policy: Policy } | { ok: false; message: string } | undefined;
let loaded: { source: string; result: Loaded } | undefined;

/**
 * The policy per pack name of a lint configuration, or the problem that makes it invalid,
 * prefixed with `name` (the setting as the operator gave it).
 */
export function compileLintConfig(
  source: string,
  parser: LintConfigParser,
  name: string = LINT_CONFIG_ENV,
): { ok: true; policy: Policy } | { ok: false; message: string } {
  const isPath = isLintConfigPath(source);
  try {
    const text = isPath ? readFileSync(source, 'utf8') : source;
    const config = parser.parseLintConfig(text, isPath ? source : LINT_CONFIG_ENV);
    return { ok: true, policy: (pack) => parser.policyFor(config, pack) };
  } catch (err) {
    return {
      ok: false,
      message: `the registry's lint configuration (${name}) is invalid: ${(err as Error).message}`,
    };
  }
}

async function load(source: string): Promise<Loaded> {
  if (source === '') return undefined;
  return compileLintConfig(source, await import('../../core/lint-config.ts'));
}

/** The policy for a pushed pack, or undefined when no config is set; throws when the setting is invalid. */
export async function registryLintPolicy(
  packName: string,
  lintConfig: string | undefined,
): Promise<PackPolicy | undefined> {
  const source = lintConfig?.trim() ?? '';
  if (!loaded || loaded.source !== source) loaded = { source, result: await load(source) };
  const r = loaded.result;
  if (!r) return undefined;
  if (!r.ok) throw new Error(r.message);
  return r.policy(packName);
}

/** Throws, naming `name`, when a lint configuration is invalid (`packyard serve` at start-up). */
export async function checkLintConfig(lintConfig: string, name: string): Promise<void> {
  const r = compileLintConfig(lintConfig.trim(), await import('../../core/lint-config.ts'), name);
  if (!r.ok) throw new Error(r.message);
}

/** The policy for a pack repository (its last path component is the pack name); an invalid setting answers 500. */
export async function lintPolicyOrRefuse(
  repo: string,
  lintConfig: string | undefined,
): Promise<PackPolicy | undefined> {
  try {
    return await registryLintPolicy(repo.slice(repo.lastIndexOf('/') + 1), lintConfig);
  } catch (err) {
    const { OciError } = await import('./oci/errors.ts');
    throw new OciError(500, 'UNSUPPORTED', (err as Error).message);
  }
}
