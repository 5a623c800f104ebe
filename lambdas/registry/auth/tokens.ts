import { errors, jwtVerify, SignJWT } from 'jose';
import type { Action, PublisherIdentity, TokenAccess } from './access.ts';

/** What a token may carry beyond its repository access. */
export interface TokenExtras {
  /** Repository prefixes the token may pull and push anywhere in (trusted-publishing tokens only). */
  grants?: string[];
  /** The trusted publisher behind the token (provenance for what it pushes). */
  publisher?: PublisherIdentity;
  /** Epoch seconds the token must not outlive (a token issued from a shorter-lived one). */
  notAfter?: number;
  /** A repository prefix the token may pull anywhere in, and nothing more (catalog sessions). */
  pullPrefix?: string;
}

export interface VerifiedToken {
  subject: string;
  access: TokenAccess[];
  catalog?: string;
  grants: string[];
  publisher?: PublisherIdentity;
  pullPrefix?: string;
  /** Epoch seconds. */
  expiresAt: number;
}

/** Registry bearer tokens: HS256 JWTs in the Docker token format, short-lived, scoped to repositories. */
export interface TokenSigner {
  /** `catalog`: the repository prefix the token may list in `_catalog` (scope `registry:catalog:*`). */
  issue(
    subject: string,
    access: TokenAccess[],
    ttlSeconds: number,
    catalog?: string,
    extras?: TokenExtras,
  ): Promise<{ token: string; expiresIn: number; issuedAt: string }>;
  verify(token: string): Promise<VerifiedToken | undefined>;
}

export const TOKEN_ISSUER = 'packyard';
export const MAX_TOKEN_TTL = 15 * 60;

export function tokenSigner(secret: Uint8Array, audience: string): TokenSigner {
  if (secret.length < 32) throw new Error('the token signing secret must be at least 32 bytes');
  return {
    async issue(subject, access, ttlSeconds, catalog, extras = {}) {
      const now = Math.floor(Date.now() / 1000);
      let ttl = Math.min(Math.max(ttlSeconds, 30), MAX_TOKEN_TTL);
      if (extras.notAfter !== undefined) ttl = Math.max(0, Math.min(ttl, extras.notAfter - now));
      const claims: Record<string, unknown> = { access };
      if (catalog !== undefined) claims.catalog = catalog;
      if (extras.grants?.length) claims.grants = extras.grants;
      if (extras.publisher) claims.pub = extras.publisher;
      if (extras.pullPrefix !== undefined) claims.pullp = extras.pullPrefix;
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(TOKEN_ISSUER)
        .setAudience(audience)
        .setSubject(subject)
        .setIssuedAt(now)
        .setNotBefore(now - 5)
        .setExpirationTime(now + ttl)
        .sign(secret);
      return { token, expiresIn: ttl, issuedAt: new Date(now * 1000).toISOString() };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, secret, {
          issuer: TOKEN_ISSUER,
          audience,
          algorithms: ['HS256'],
          clockTolerance: 5,
          // A token without an expiry would be valid forever: the registry never issues one.
          requiredClaims: ['exp'],
        });
        const access = Array.isArray(payload.access)
          ? (payload.access as TokenAccess[]).filter(isAccess)
          : [];
        const catalog = typeof payload.catalog === 'string' ? payload.catalog : undefined;
        const grants = Array.isArray(payload.grants)
          ? payload.grants.filter((g): g is string => typeof g === 'string' && g !== '')
          : [];
        const publisher = isPublisher(payload.pub) ? payload.pub : undefined;
        const pullPrefix = typeof payload.pullp === 'string' ? payload.pullp : undefined;
        return {
          subject: payload.sub ?? '',
          access,
          catalog,
          grants,
          publisher,
          pullPrefix,
          expiresAt: payload.exp ?? 0,
        };
      } catch (err) {
        if (err instanceof errors.JOSEError) return undefined;
        throw err;
      }
    },
  };
}

/**
 * A signer whose secret is loaded on first use (a token to issue or verify), not at start-up:
 * fetching it from Secrets Manager at import would add a network round trip to every cold
 * start, including those that only serve /health or anonymous pulls. The secret is then kept
 * for the life of the container; a failed load is not cached, so the next request retries.
 */
export function deferredTokenSigner(load: () => Promise<Uint8Array>, audience: string): TokenSigner {
  let signer: Promise<TokenSigner> | undefined;
  const get = (): Promise<TokenSigner> => {
    signer ??= load().then(
      (secret) => tokenSigner(secret, audience),
      (err: unknown) => {
        signer = undefined;
        throw err;
      },
    );
    return signer;
  };
  return {
    issue: async (...args) => (await get()).issue(...args),
    verify: async (token) => (await get()).verify(token),
  };
}

function isAccess(a: unknown): a is TokenAccess {
  const x = a as TokenAccess;
  return (
    x?.type === 'repository' &&
    typeof x.name === 'string' &&
    Array.isArray(x.actions) &&
    x.actions.every((v: Action) => typeof v === 'string')
  );
}

function isPublisher(p: unknown): p is PublisherIdentity {
  const x = p as PublisherIdentity;
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof x.provenance === 'object' &&
    x.provenance !== null &&
    Object.values(x.provenance).every((v) => typeof v === 'string') &&
    Array.isArray(x.bindings) &&
    x.bindings.every((b) => typeof b?.prefix === 'string' && typeof b?.id === 'string')
  );
}

/** The scope a client asks for to list `_catalog` (what the registry's challenge names). */
export const CATALOG_SCOPE = 'registry:catalog:*';

/** Parses Docker token scopes: `repository:team-a/x:pull,push` (several may be given). */
export function parseScopes(scopes: string[]): TokenAccess[] {
  const out: TokenAccess[] = [];
  for (const s of scopes) {
    for (const one of s.split(' ')) {
      const first = one.indexOf(':');
      const last = one.lastIndexOf(':');
      if (first < 0 || last <= first) continue;
      const type = one.slice(0, first);
      if (type !== 'repository') continue;
      const name = one.slice(first + 1, last);
      const actions = one
        .slice(last + 1)
        .split(',')
        .map((a) => (a === '*' ? 'delete' : a))
        .filter((a): a is Action => a === 'pull' || a === 'push' || a === 'delete');
      out.push({ type: 'repository', name, actions: [...new Set(actions)] });
    }
  }
  return out;
}
