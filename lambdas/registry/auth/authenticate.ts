import { createHash } from 'node:crypto';
import type { CredentialIndex } from '../ports.ts';
import { anonymousPrincipal, credentialPrincipal, type Principal, tokenPrincipal } from './access.ts';
import { AuthRequiredError } from './authorize.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { OIDC_USERNAME } from './oidc-username.ts';
import { DUMMY_HASH, verifyPassword } from './passwords.ts';
import type { TokenSigner, VerifiedToken } from './tokens.ts';

/** A trusted-publishing token presented as a password; other tokens are not passwords. */
function publisherPrincipal(
  token: VerifiedToken | undefined,
  kind: 'basic' | 'bearer',
): Principal | undefined {
  if (!token || token.grants.length === 0) return undefined;
  return tokenPrincipal(
    token.subject,
    token.access,
    token.grants.length === 1 ? token.grants[0] : undefined,
    {
      grants: token.grants,
      publisher: token.publisher,
      expiresAt: token.expiresAt,
      kind,
    },
  );
}

export interface Authenticator {
  /**
   * The principal behind a request's Authorization header; throws AuthRequiredError on bad
   * credentials, and 429 while failed logins from `sourceIp` or for the user name are throttled.
   */
  authenticate(authorization: string | undefined, sourceIp?: string): Promise<Principal>;
  /** Checks username/password (the token endpoint and Basic auth); throws 429 while failures are throttled. */
  checkPassword(username: string, password: string, sourceIp?: string): Promise<Principal | undefined>;
}

const CACHE_TTL_MS = 60_000;
/** `lastUsedAt` is rewritten at most this often per credential: one UpdateItem an hour, not per request. */
const LAST_USED_RESOLUTION_MS = 3600_000;
const CACHE_MAX = 1000;
/** `packyard user add` allows 128 characters; longer names are never looked up (DynamoDB caps key sizes). */
const MAX_USERNAME = 128;
export function authenticator(opts: {
  index: CredentialIndex;
  tokens: TokenSigner;
  anonymousPull: boolean;
  throttle: LoginThrottle;
}): Authenticator {
  // Verified Basic credentials, keyed by a hash of user and password: scrypt once a minute, not per request.
  const cache = new Map<string, { principal: Principal; until: number; expiresAt?: number }>();

  const checkPassword = async (
    username: string,
    password: string,
    sourceIp = '',
  ): Promise<Principal | undefined> => {
    // Verified on every request, never cached: the token's own expiry must hold to the second.
    if (username === OIDC_USERNAME) return publisherPrincipal(await opts.tokens.verify(password), 'basic');
    const key = createHash('sha256').update(`${username}\0${password}`).digest('hex');
    const hit = cache.get(key);
    if (hit && hit.until > Date.now()) {
      if (hit.expiresAt !== undefined && hit.expiresAt <= Date.now()) return undefined;
      return hit.principal;
    }
    const [cred] = await Promise.all([
      username.length <= MAX_USERNAME ? opts.index.getCredential(username) : undefined,
      opts.throttle.check(username, sourceIp),
    ]);
    // Unknown users cost the same scrypt as wrong passwords: no user enumeration by timing.
    const ok = await verifyPassword(password, cred?.passwordHash ?? DUMMY_HASH);
    if (!ok || !cred) {
      await opts.throttle.failed(username, sourceIp);
      return undefined;
    }
    const expiresAt = cred.expiresAt ? Date.parse(cred.expiresAt) : undefined;
    // An expired credential is refused like a wrong password (the admin API shows it as expired).
    if (expiresAt !== undefined && expiresAt <= Date.now()) return undefined;
    const principal = credentialPrincipal(cred.username, cred.scope, cred.prefix);
    if (!cred.lastUsedAt || Date.now() - Date.parse(cred.lastUsedAt) >= LAST_USED_RESOLUTION_MS) {
      // Bookkeeping only: a failed write must not fail the request.
      await opts.index.touchCredential(cred.username, new Date().toISOString()).catch(() => {});
    }
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(key, { principal, until: Date.now() + CACHE_TTL_MS, expiresAt });
    return principal;
  };

  return {
    checkPassword,
    async authenticate(authorization, sourceIp) {
      const unauthorized = (message: string) => new AuthRequiredError(message);
      if (!authorization) return anonymousPrincipal(opts.anonymousPull);
      const space = authorization.indexOf(' ');
      const scheme = authorization.slice(0, space < 0 ? undefined : space).toLowerCase();
      const value = space < 0 ? '' : authorization.slice(space + 1).trim();
      if (scheme === 'basic') {
        const decoded = Buffer.from(value, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon <= 0)
          throw unauthorized('malformed Basic credentials: expected base64 of "username:password"');
        const principal = await checkPassword(decoded.slice(0, colon), decoded.slice(colon + 1), sourceIp);
        if (!principal) throw unauthorized('invalid username or password');
        return principal;
      }
      if (scheme === 'bearer') {
        const claims = value ? await opts.tokens.verify(value) : undefined;
        if (!claims)
          throw unauthorized('invalid or expired token; request a new one from the token endpoint');
        return tokenPrincipal(claims.subject, claims.access, claims.catalog, {
          grants: claims.grants,
          publisher: claims.publisher,
          expiresAt: claims.expiresAt,
          pullPrefix: claims.pullPrefix,
        });
      }
      throw unauthorized(`unsupported authorization scheme "${scheme.slice(0, 20)}"; use Basic or Bearer`);
    },
  };
}
