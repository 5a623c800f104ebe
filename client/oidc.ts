import type { BasicCredentials } from './auth.ts';
import { DEFAULT_RETRY, type Fetch, fetchWithRetry, NetworkError, type RetryOptions } from './http.ts';
import type { RegistryRef } from './reference.ts';

/**
 * Trusted publishing, client side: ask a Packyard registry which audience its ID tokens need
 * (`GET /api/v1/oidc`), and exchange an ID token for a short-lived push token (`POST
 * /api/v1/oidc/token`). The token is used as the password of the user `oidc`, so everything that
 * speaks Basic or the Docker token protocol (AuthSession included) works with it unchanged.
 */

export interface OidcOptions {
  fetch?: Fetch;
  retry?: RetryOptions;
  userAgent?: string;
}

export interface OidcDiscovery {
  issuer: string;
  audience: string;
}

export interface ExchangedToken {
  credentials: BasicCredentials;
  expiresIn: number;
  prefixes: string[];
  bindings: string[];
}

interface Mismatch {
  claim: string;
  expected: string;
  actual: string | null;
}

/** The registry refused the ID token: its reason code and the claims that did not match. */
export class OidcExchangeError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly reason?: string,
    readonly claims: Mismatch[] = [],
    readonly bindings: { id: string; prefix: string; mismatches: Mismatch[] }[] = [],
  ) {
    super(message);
  }
}

const headers = (opts: OidcOptions, extra: Record<string, string> = {}) => ({
  'user-agent': opts.userAgent ?? 'packyard',
  ...extra,
});

/** The issuer and audience the registry accepts; an error if it does not offer trusted publishing. */
export async function discoverOidc(registry: RegistryRef, opts: OidcOptions = {}): Promise<OidcDiscovery> {
  const url = `${registry.origin}/api/v1/oidc`;
  const res = await fetchWithRetry(
    opts.fetch ?? fetch,
    url,
    { headers: headers(opts) },
    opts.retry ?? DEFAULT_RETRY,
  );
  if (!res.ok) {
    await res.body?.cancel();
    throw new OidcExchangeError(
      `${registry.host} does not offer trusted publishing (GET /api/v1/oidc answered ${res.status}); is it a Packyard registry? Give the audience with oidc-audience, or use a username and password`,
      res.status,
    );
  }
  const body = (await res.json()) as Partial<OidcDiscovery>;
  if (typeof body.audience !== 'string' || body.audience === '' || typeof body.issuer !== 'string')
    throw new OidcExchangeError(`${url} did not name an issuer and audience`, res.status);
  return { issuer: body.issuer, audience: body.audience };
}

/**
 * Exchanges `idToken` at the registry it is meant for. Always the registry's own endpoint, never
 * one a response names: the ID token goes nowhere else. Not retried: the registry accepts each
 * ID token once, so a retry after a lost answer could only be refused as `replayed`.
 */
export async function exchangeOidcToken(
  registry: RegistryRef,
  idToken: string,
  opts: OidcOptions = {},
): Promise<ExchangedToken> {
  const url = `${registry.origin}/api/v1/oidc/token`;
  let res: Response;
  try {
    res = await (opts.fetch ?? fetch)(url, {
      method: 'POST',
      headers: headers(opts, { 'content-type': 'application/json' }),
      body: JSON.stringify({ token: idToken }),
      signal: AbortSignal.timeout((opts.retry ?? DEFAULT_RETRY).timeoutMs),
    });
  } catch (err) {
    throw new NetworkError(url, err);
  }
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: reported by status below
  }
  if (!res.ok) {
    const e = (body.errors as { message?: string; detail?: Record<string, unknown> }[] | undefined)?.[0];
    const detail = e?.detail ?? {};
    throw new OidcExchangeError(
      `the registry refused the ID token${typeof detail.reason === 'string' ? ` (${detail.reason})` : ''}: ${e?.message ?? `${res.status} ${res.statusText}`}`,
      res.status,
      typeof detail.reason === 'string' ? detail.reason : undefined,
      Array.isArray(detail.claims) ? (detail.claims as Mismatch[]) : [],
      Array.isArray(detail.bindings) ? (detail.bindings as OidcExchangeError['bindings']) : [],
    );
  }
  if (typeof body.token !== 'string' || typeof body.username !== 'string')
    throw new OidcExchangeError(`${url} answered without a token`, res.status);
  return {
    credentials: { username: body.username, password: body.token },
    expiresIn: Number(body.expires_in ?? 0),
    prefixes: Array.isArray(body.prefixes) ? (body.prefixes as string[]) : [],
    bindings: Array.isArray(body.bindings) ? (body.bindings as string[]) : [],
  };
}

/** The refusal spelled out: reason, then each binding's mismatched claims (expected vs actual). */
export function describeExchangeError(err: OidcExchangeError): string {
  const lines = [err.message];
  const show = (m: Mismatch) =>
    `${m.claim} is ${JSON.stringify(m.actual)}, expected ${JSON.stringify(m.expected)}`;
  if (err.bindings.length > 0) {
    for (const b of err.bindings)
      lines.push(`  binding ${b.id} (${b.prefix}): ${b.mismatches.map(show).join('; ')}`);
  } else {
    for (const m of err.claims) lines.push(`  ${show(m)}`);
  }
  return lines.join('\n');
}
