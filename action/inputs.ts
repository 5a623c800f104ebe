import { parseRegistryRef, type RegistryRef } from '../client/reference.ts';

import type { FailOn } from '../publish/types.ts';

export type { FailOn };
export type OidcMode = 'false' | 'auto' | 'true';

/** The Action's inputs, parsed and validated once. */
export interface ActionInputs {
  /** Folders to search for packs (relative to the workspace unless absolute). */
  paths: string[];
  /** Where to publish; undefined only in a dry run without a registry. */
  registry: RegistryRef | undefined;
  credentials: { username: string; password: string } | undefined;
  dryRun: boolean;
  failOn: FailOn;
  concurrency: number;
  insecure: boolean;
  oidc: OidcMode;
  /** The audience to request ID tokens for; undefined: ask the registry (GET /api/v1/oidc). */
  oidcAudience: string | undefined;
  /** Annotations per severity (GitHub shows at most 10 errors and 10 warnings per step). */
  annotationsLimit: number;
}

/**
 * Defaults, the same as action.yml declares (the runner fills those in; running the bundle by
 * hand does not, so they are applied here too — a unit test keeps both in step).
 */
export const INPUT_DEFAULTS = {
  path: '.',
  registry: '',
  'base-path': '',
  username: '',
  password: '',
  'dry-run': 'false',
  'fail-on': 'error',
  concurrency: '4',
  insecure: 'false',
  oidc: 'auto',
  'oidc-audience': '',
  'annotations-limit': '10',
} as const;

export type InputName = keyof typeof INPUT_DEFAULTS;

export const GITHUB_ANNOTATION_LIMIT = 10;
export const MAX_CONCURRENCY = 32;

/** One or more invalid inputs; the message lists every problem, one per line. */
export class InputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.length === 1 ? (problems[0] as string) : `invalid inputs:\n- ${problems.join('\n- ')}`);
  }
}

/** Reads one input as the runner passes it (already trimmed); '' when not set. */
export type GetInput = (name: InputName) => string;

/** `INPUT_<NAME>` as the runner sets it: upper case, spaces to `_`, hyphens kept. */
export function envInput(env: NodeJS.ProcessEnv): GetInput {
  return (name) => (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

/**
 * Parses every input. The password is read first and handed to `maskSecret` before anything
 * else happens, so no later log line or error can show it; no message ever quotes it.
 */
export function parseInputs(get: GetInput, maskSecret: (secret: string) => void = () => {}): ActionInputs {
  const password = get('password');
  if (password) maskSecret(password);
  const problems: string[] = [];
  const value = (name: InputName) => get(name) || INPUT_DEFAULTS[name];

  const paths = splitList(value('path'));
  if (paths.length === 0)
    problems.push('path lists no folder; give one or more pack roots (newline or comma separated)');

  const dryRun = parseBoolean('dry-run', value('dry-run'), problems);
  const insecure = parseBoolean('insecure', value('insecure'), problems);

  const failOnRaw = value('fail-on').toLowerCase();
  const failOn: FailOn = failOnRaw === 'warning' ? 'warning' : 'error';
  if (failOnRaw !== 'error' && failOnRaw !== 'warning')
    problems.push(`fail-on must be "error" or "warning" (got "${value('fail-on')}")`);

  const concurrency = parseWhole('concurrency', value('concurrency'), 1, MAX_CONCURRENCY, problems);
  const annotationsLimit = parseWhole(
    'annotations-limit',
    value('annotations-limit'),
    0,
    GITHUB_ANNOTATION_LIMIT,
    problems,
    ' (GitHub shows at most 10 error and 10 warning annotations per step; the job summary lists every finding)',
  );

  const oidcRaw = value('oidc').toLowerCase();
  const oidc: OidcMode = oidcRaw === 'true' || oidcRaw === 'false' ? oidcRaw : 'auto';
  if (!['true', 'false', 'auto'].includes(oidcRaw))
    problems.push(`oidc must be "false", "auto" or "true" (got "${value('oidc')}")`);
  const oidcAudience = get('oidc-audience') || undefined;
  if (oidcAudience && /\s/.test(oidcAudience)) problems.push('oidc-audience must not contain spaces');

  const username = get('username');
  let credentials: ActionInputs['credentials'];
  if (oidc === 'true' && (username || password))
    problems.push(
      'oidc is true (trusted publishing, no stored secret) but username or password is set too; remove them, or set oidc to auto or false',
    );
  else if (username && password) credentials = { username, password };
  else if (username && !dryRun)
    problems.push(
      `password is empty for username "${username}": pass it from a secret (password: \${{ secrets.PACKYARD_PASSWORD }}); secrets are not given to workflows triggered from forks`,
    );
  else if (password && !username) problems.push('password is set but username is not; give both');

  const registry = parseRegistry(get('registry'), get('base-path'), insecure, dryRun, problems);

  if (problems.length > 0) throw new InputError(problems);
  return {
    paths,
    registry,
    credentials,
    dryRun,
    failOn,
    concurrency,
    insecure,
    oidc,
    oidcAudience,
    annotationsLimit,
  };
}

/** Newline- or comma-separated list, trimmed, without empty items. */
export function splitList(raw: string): string[] {
  return raw
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function parseBoolean(name: InputName, raw: string, problems: string[]): boolean {
  // The YAML 1.2 core schema booleans, as @actions/core's getBooleanInput accepts them.
  if (['true', 'True', 'TRUE'].includes(raw)) return true;
  if (['false', 'False', 'FALSE'].includes(raw)) return false;
  problems.push(`${name} must be true or false (got "${raw}")`);
  return false;
}

function parseWhole(
  name: InputName,
  raw: string,
  min: number,
  max: number,
  problems: string[],
  hint = '',
): number {
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")${hint}`);
    return min;
  }
  return n;
}

function parseRegistry(
  raw: string,
  basePath: string,
  insecure: boolean,
  dryRun: boolean,
  problems: string[],
): RegistryRef | undefined {
  if (!raw) {
    if (!dryRun)
      problems.push(
        'registry is required (host[:port][/base/path], e.g. registry.example.com/team-a) unless dry-run is true',
      );
    else if (basePath) problems.push('base-path is set but registry is not');
    return undefined;
  }
  if (raw.includes('@')) {
    // Not echoed: it may hold a password.
    problems.push(
      'registry must not hold credentials (user:password@host); use the username and password inputs',
    );
    return undefined;
  }
  let ref: RegistryRef;
  try {
    ref = parseRegistryRef(raw, { insecure });
  } catch (err) {
    problems.push(
      `registry: ${(err as Error).message.replace('pass --insecure', 'set the insecure input to true')}`,
    );
    return undefined;
  }
  const base = basePath.replace(/^\/+|\/+$/g, '');
  if (!base) return ref;
  if (ref.basePath && ref.basePath !== base) {
    problems.push(
      `registry "${raw}" already has the base path "${ref.basePath}" and base-path says "${base}"; give it in one place`,
    );
    return undefined;
  }
  try {
    return parseRegistryRef(`${ref.origin}/${base}`, { insecure });
  } catch (err) {
    problems.push(`base-path: ${(err as Error).message}`);
    return undefined;
  }
}
