/**
 * Deployment lint policy: the same `.packyard.yaml` format the CLI and the Action read, from
 * PACKYARD_LINT_CONFIG — the YAML itself (what a Lambda environment carries), or a file path when
 * the value starts with "/" or "./" (`packyard serve`). The registry has no pack folders, so
 * `packs:` patterns and `ignore:` files match against `<pack name>/…`, and `names:` against the name.
 * Read once per process; a bad setting refuses pushes with its file:line problems (reads keep working).
 */
import { readFileSync } from 'node:fs';
import type { PackPolicy } from '../../core/lint-policy.ts';

export const LINT_CONFIG_ENV = 'PACKYARD_LINT_CONFIG';

type Loaded = { ok: true; policy: (name: string) => PackPolicy } | { ok: false; message: string } | undefined;
let loaded: { source: string; result: Loaded } | undefined;

/** The policy for a pushed pack, or undefined when no config is set; throws when the setting is invalid. */
export async function registryLintPolicy(
  packName: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PackPolicy | undefined> {
  const source = env[LINT_CONFIG_ENV]?.trim() ?? '';
  if (!loaded || loaded.source !== source) loaded = { source, result: await load(source) };
  const r = loaded.result;
  if (!r) return undefined;
  if (!r.ok) throw new Error(r.message);
  return r.policy(packName);
}

async function load(source: string): Promise<Loaded> {
  if (source === '') return undefined;
  const { parseLintConfig, policyFor } = await import('../../core/lint-config.ts');
  const isPath = source.startsWith('/') || source.startsWith('./');
  try {
    const text = isPath ? readFileSync(source, 'utf8') : source;
    const config = parseLintConfig(text, isPath ? source : LINT_CONFIG_ENV);
    return { ok: true, policy: (name) => policyFor(config, name) };
  } catch (err) {
    return {
      ok: false,
      message: `the registry's lint configuration (${LINT_CONFIG_ENV}) is invalid: ${(err as Error).message}`,
    };
  }
}

/** The policy for a pack repository (its last path component is the pack name); an invalid setting answers 500. */
export async function lintPolicyOrRefuse(repo: string): Promise<PackPolicy | undefined> {
  try {
    return await registryLintPolicy(repo.slice(repo.lastIndexOf('/') + 1));
  } catch (err) {
    const { OciError } = await import('./oci/errors.ts');
    throw new OciError(500, 'UNSUPPORTED', (err as Error).message);
  }
}
