import { readFileSync } from 'node:fs';
import type { ActionInputs } from './inputs.ts';

/**
 * How the Action signs in: a password from a secret, GitHub OIDC trusted publishing (the job's
 * ID token exchanged at the registry), or nothing. Decided before anything is linted, so a job
 * that cannot publish says why at once.
 */
export type AuthPlan =
  | { kind: 'password'; credentials: { username: string; password: string } }
  | { kind: 'oidc' }
  | { kind: 'anonymous'; note?: string };

/** The runner sets both only when the job has `permissions: id-token: write`. */
export function idTokenAvailable(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
}

const HOW_TO =
  'add `permissions: id-token: write` to the job (or the workflow); pull requests from forks never get an ID token (nor secrets), so run them with dry-run: true';

/**
 * `oidc: true` requires an ID token; `auto` uses one when no password is given and the job can get
 * one; `false` never does. `fork` names the fork a pull request comes from, for the diagnostic.
 */
export function planAuth(
  inputs: Pick<ActionInputs, 'oidc' | 'credentials'>,
  env: NodeJS.ProcessEnv,
  fork?: string,
): AuthPlan {
  if (inputs.credentials) return { kind: 'password', credentials: inputs.credentials };
  const available = idTokenAvailable(env);
  const why = fork
    ? `this run is a pull request from the fork ${fork}, and GitHub gives those no ID token (nor secrets): run pull requests with dry-run: true`
    : `ACTIONS_ID_TOKEN_REQUEST_URL is not set: ${HOW_TO}`;
  if (inputs.oidc === 'true') {
    if (!available) throw new Error(`oidc is true, but this job cannot get a GitHub OIDC ID token: ${why}`);
    return { kind: 'oidc' };
  }
  if (inputs.oidc === 'auto' && available) return { kind: 'oidc' };
  return {
    kind: 'anonymous',
    note:
      inputs.oidc === 'auto'
        ? `No password and no ID token, so the registry is used anonymously. For trusted publishing, ${fork ? why : HOW_TO}; or pass username and password from secrets`
        : undefined,
  };
}

/** The fork a `pull_request` run comes from, from the event payload the runner writes; else undefined. */
export function pullRequestFork(env: NodeJS.ProcessEnv): string | undefined {
  if (!env.GITHUB_EVENT_NAME?.startsWith('pull_request') || !env.GITHUB_EVENT_PATH) return undefined;
  try {
    const event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as {
      pull_request?: { head?: { repo?: { full_name?: string } } };
    };
    const head = event.pull_request?.head?.repo?.full_name;
    return head && head.toLowerCase() !== env.GITHUB_REPOSITORY?.toLowerCase() ? head : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Does a token for `prefixes` cover the pack repositories under `basePath`? Same rule as the
 * registry's: `team-a/` covers `team-a/…`, never `team-ab/…`. Checked before pushing, so a
 * registry path outside the binding fails with that reason instead of a bare 401 per pack.
 */
export function prefixesCover(prefixes: string[], basePath: string): boolean {
  const repository = `${basePath ? `${basePath}/` : ''}spectro-packs/archive/x`;
  return prefixes.some((p) => repository.startsWith(p.endsWith('/') ? p : `${p}/`));
}
