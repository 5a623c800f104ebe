import * as core from '@actions/core';
import { AuthError, type BasicCredentials } from '../client/auth.ts';
import { NetworkError } from '../client/http.ts';
import { describeExchangeError, discoverOidc, exchangeOidcToken, OidcExchangeError } from '../client/oidc.ts';
import type { RegistryRef } from '../client/reference.ts';
import { RegistryClient, RegistryError } from '../client/registry-client.ts';
import type { ActionInputs } from './inputs.ts';
import { type AuthPlan, prefixesCover } from './oidc.ts';

declare const __PACKYARD_VERSION__: string | undefined;
const VERSION = typeof __PACKYARD_VERSION__ === 'string' ? __PACKYARD_VERSION__ : 'dev';

/** A client for the registry, and whether it answered with these credentials (else why not). */
export interface Session {
  registry: RegistryRef;
  client: RegistryClient;
  ready: boolean;
  problem?: string;
}

/**
 * Signs in (password, trusted publishing or anonymously) and reaches the registry once, before
 * linting: a failure is one clear reason, not one per pack.
 */
export async function connect(inputs: ActionInputs, auth: AuthPlan, registry: RegistryRef): Promise<Session> {
  const userAgent = `packyard-action/${VERSION}`;
  const failed = (problem: string): Session => {
    core.info(`✖ ${problem}`);
    return { registry, client: new RegistryClient({ registry, userAgent }), ready: false, problem };
  };
  let credentials: BasicCredentials | undefined;
  let who: string;
  if (auth.kind === 'password') {
    credentials = auth.credentials;
    who = `the credentials of "${credentials.username}"`;
    core.info(`Signing in to ${registry.origin} as ${credentials.username}`);
  } else if (auth.kind === 'oidc') {
    try {
      const exchanged = await trustedPublishing(inputs, registry, userAgent);
      credentials = exchanged.credentials;
      const granted = exchanged.prefixes.map((p) => `${p}*`).join(', ');
      who = `the trusted-publishing token for ${granted}`;
      if (!prefixesCover(exchanged.prefixes, registry.basePath)) {
        return failed(
          `the trusted publisher lets this workflow push to ${granted} only, but packs go to ${registry.basePath ? `${registry.basePath}/` : ''}spectro-packs/archive/…; publish to a registry path inside the prefix, or bind the workflow to this one (packyard publisher add --prefix)`,
        );
      }
    } catch (err) {
      return failed(describeOidcError(err, registry));
    }
  } else {
    who = 'anonymous access';
    core.info(`No username and password given: using ${registry.origin} anonymously`);
    if (auth.note) core.info(auth.note);
  }
  const client = new RegistryClient({ registry, credentials, userAgent });
  try {
    await client.ping();
  } catch (err) {
    return failed(describeRegistryError(err, registry, who, auth));
  }
  return { registry, client, ready: true };
}

/**
 * Trusted publishing: the audience from oidc-audience or the registry, an ID token for it from
 * GitHub, exchanged for a push token. Both tokens are masked before anything could print them.
 */
async function trustedPublishing(
  inputs: ActionInputs,
  registry: RegistryRef,
  userAgent: string,
): Promise<{ credentials: BasicCredentials; prefixes: string[] }> {
  const audience = inputs.oidcAudience ?? (await discoverOidc(registry, { userAgent })).audience;
  core.info(`Trusted publishing: requesting a GitHub OIDC ID token for the audience "${audience}"`);
  let idToken: string;
  try {
    idToken = await core.getIDToken(audience);
  } catch (err) {
    throw new Error(
      `GitHub did not give this job an ID token (${(err as Error).message.replace(/\s+/g, ' ').trim()}); does the job have permissions: id-token: write?`,
    );
  }
  core.setSecret(idToken);
  const exchanged = await exchangeOidcToken(registry, idToken, { userAgent });
  core.setSecret(exchanged.credentials.password);
  core.info(
    `Exchanged it at ${registry.origin} for a push token valid ${Math.round(exchanged.expiresIn / 60)} minutes for ${exchanged.prefixes.map((p) => `${p}*`).join(', ')} (trusted publisher ${exchanged.bindings.join(', ')})`,
  );
  return exchanged;
}

const OIDC_HINTS: Record<string, string> = {
  no_bindings:
    'add a trusted publisher for this repository and workflow on the registry (packyard publisher add)',
  binding_mismatch:
    "the registry's trusted publishers name another repository id, owner id, workflow file, environment or ref than this run; fix the binding (packyard publisher list) or the workflow",
  wrong_audience: "set oidc-audience to the registry's audience (GET /api/v1/oidc names it)",
  replayed: 'each ID token is accepted once; re-run the job',
  expired: "the runner's clock or a slow step: re-run the job",
};

function describeOidcError(err: unknown, registry: RegistryRef): string {
  if (err instanceof OidcExchangeError) {
    const hint = err.reason ? OIDC_HINTS[err.reason] : undefined;
    return `trusted publishing to ${registry.origin} failed: ${describeExchangeError(err)}${hint ? `\n${hint}` : ''}`;
  }
  if (err instanceof NetworkError) return `the registry at ${registry.origin} did not answer: ${err.message}`;
  return `trusted publishing to ${registry.origin} failed: ${(err as Error).message}`;
}

function describeRegistryError(err: unknown, registry: RegistryRef, who: string, auth: AuthPlan): string {
  const where = `the registry at ${registry.origin}`;
  if (
    err instanceof AuthError ||
    (err instanceof RegistryError && (err.status === 401 || err.status === 403))
  ) {
    const check =
      auth.kind === 'oidc'
        ? "Check the trusted publisher's prefix on the registry"
        : auth.kind === 'anonymous'
          ? 'Pass username and password from secrets, or publish with trusted publishing (oidc, with permissions: id-token: write)'
          : 'Check the username and password inputs (and that the secret is available to this workflow)';
    return `${where} refused ${who}: ${(err as Error).message}. ${check}`;
  }
  if (err instanceof RegistryError) return `${where}: ${err.message}`;
  // Node's fetch says only "fetch failed"; the system error code is somewhere down the causes.
  const message = (err as Error).message === 'fetch failed' ? 'no connection' : (err as Error).message;
  const code = errorCode(err);
  return `${where} did not answer: ${message}${code && !message.includes(code) ? ` (${code})` : ''}`;
}

function errorCode(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  for (let e = err; e && typeof e === 'object' && !seen.has(e); ) {
    seen.add(e);
    const { code, cause, errors } = e as { code?: unknown; cause?: unknown; errors?: unknown[] };
    if (typeof code === 'string') return code;
    e = cause ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return undefined;
}

export function displayRegistry(r: RegistryRef): string {
  return `${r.host}${r.basePath ? `/${r.basePath}` : ''}`;
}
