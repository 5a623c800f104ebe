import { compactVerify, createRemoteJWKSet, errors } from 'jose';
import type { Mismatch } from './publishers.ts';

/**
 * Verification of OIDC ID tokens (GitHub Actions') for trusted publishing: the issuer's keys are
 * found through OIDC discovery and fetched with jose's remote JWKS (cached, re-fetched on an
 * unknown `kid` at most every 30 s). Loaded on the first exchange, not at cold start (app.ts).
 */

/** Why an exchange was refused; each has its own code in the response (docs/registry.md). */
export type RefusalReason =
  | 'malformed_token'
  | 'unsupported_algorithm'
  | 'wrong_issuer'
  | 'unknown_key'
  | 'invalid_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_audience'
  | 'no_bindings'
  | 'binding_mismatch'
  | 'replayed'
  | 'issuer_unavailable';

/** A refused exchange: the reason, a message, and the claims that failed (never the token). */
export class ExchangeRefused extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
    readonly claims: Mismatch[] = [],
    readonly bindings?: { id: string; prefix: string; mismatches: Mismatch[] }[],
  ) {
    super(message);
  }
}

/** Clock skew tolerated on exp, nbf and iat. */
export const LEEWAY_SECONDS = 30;
/** The only signature algorithm accepted: GitHub signs with RS256; `none` and HMAC never pass. */
export const ALGORITHM = 'RS256';
/** Claims an exchange cannot do without (binding matching and provenance rely on them). */
const REQUIRED_CLAIMS = ['sub', 'jti', 'exp', 'iat', 'repository', 'repository_id', 'repository_owner_id'];

export interface DecodedToken {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

/** Splits a compact JWS and parses header and payload, without verifying anything. */
export function decodeUnverified(token: string): DecodedToken {
  const parts = token.split('.');
  if (parts.length !== 3) throw new ExchangeRefused('malformed_token', 'the ID token is not a compact JWT');
  const part = (s: string, what: string): Record<string, unknown> => {
    let v: unknown;
    try {
      v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    } catch {
      throw new ExchangeRefused('malformed_token', `the ID token's ${what} is not base64url JSON`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw new ExchangeRefused('malformed_token', `the ID token's ${what} is not a JSON object`);
    return v as Record<string, unknown>;
  };
  return { header: part(parts[0] as string, 'header'), payload: part(parts[1] as string, 'payload') };
}

/** Refuses any algorithm but RS256 (`alg: none`, HS256 keyed with the public key, …). */
export function checkAlgorithm(header: Record<string, unknown>): void {
  if (header.alg !== ALGORITHM) {
    throw new ExchangeRefused(
      'unsupported_algorithm',
      `the ID token is signed with ${JSON.stringify(header.alg ?? null)}; only ${ALGORITHM} is accepted`,
      [{ claim: 'alg', expected: ALGORITHM, actual: typeof header.alg === 'string' ? header.alg : null }],
    );
  }
}

export function checkIssuer(payload: Record<string, unknown>, issuer: string): void {
  if (payload.iss !== issuer) {
    throw new ExchangeRefused('wrong_issuer', `the ID token was not issued by ${issuer}`, [
      { claim: 'iss', expected: issuer, actual: typeof payload.iss === 'string' ? payload.iss : null },
    ]);
  }
}

/**
 * Required claims, lifetime (exp, nbf, iat with LEEWAY_SECONDS) and audience of a token whose
 * signature has been verified. `aud` must be exactly the registry's audience (a string, or a
 * one-element array): a token meant for anything else, or for several parties, is refused.
 */
export function checkClaims(payload: Record<string, unknown>, audience: string, nowSeconds: number): void {
  const missing = REQUIRED_CLAIMS.filter((c) => payload[c] === undefined || payload[c] === null);
  if (missing.length > 0) {
    throw new ExchangeRefused(
      'malformed_token',
      `the ID token lacks ${missing.join(', ')}; is it a GitHub Actions ID token?`,
      missing.map((claim) => ({ claim, expected: 'present', actual: null })),
    );
  }
  const num = (name: string): number | undefined => {
    const v = payload[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new ExchangeRefused('malformed_token', `the ID token's ${name} is not a number`, [
        { claim: name, expected: 'NumericDate', actual: String(v) },
      ]);
    return v;
  };
  const exp = num('exp') as number;
  const iat = num('iat') as number;
  const nbf = num('nbf');
  const time = (s: number) => new Date(s * 1000).toISOString();
  if (exp + LEEWAY_SECONDS <= nowSeconds) {
    throw new ExchangeRefused('expired', `the ID token expired at ${time(exp)}; request a fresh one`, [
      { claim: 'exp', expected: `after ${time(nowSeconds - LEEWAY_SECONDS)}`, actual: time(exp) },
    ]);
  }
  if (nbf !== undefined && nbf - LEEWAY_SECONDS > nowSeconds) {
    throw new ExchangeRefused('not_yet_valid', `the ID token is not valid before ${time(nbf)}`, [
      { claim: 'nbf', expected: `before ${time(nowSeconds + LEEWAY_SECONDS)}`, actual: time(nbf) },
    ]);
  }
  if (iat - LEEWAY_SECONDS > nowSeconds) {
    throw new ExchangeRefused(
      'not_yet_valid',
      `the ID token claims to be issued in the future (${time(iat)})`,
      [{ claim: 'iat', expected: `before ${time(nowSeconds + LEEWAY_SECONDS)}`, actual: time(iat) }],
    );
  }
  const aud = payload.aud;
  const single = Array.isArray(aud) && aud.length === 1 ? aud[0] : aud;
  if (single !== audience) {
    throw new ExchangeRefused(
      'wrong_audience',
      `the ID token's audience is not this registry's ("${audience}"); request the token with that audience`,
      [{ claim: 'aud', expected: audience, actual: aud === undefined ? null : JSON.stringify(aud) }],
    );
  }
}

export interface IdTokenVerifier {
  /** The verified claims, or ExchangeRefused. */
  verify(token: string, nowSeconds: number): Promise<Record<string, unknown>>;
}

/**
 * A verifier for one issuer and audience. The discovery document is fetched once (again after a
 * failure); its `issuer` must equal the configured one, as OIDC discovery requires.
 */
export function idTokenVerifier(opts: {
  issuer: string;
  audience: string;
  fetch?: typeof fetch;
}): IdTokenVerifier {
  const doFetch = opts.fetch ?? fetch;
  let keys: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;

  const discover = async () => {
    const url = `${opts.issuer}/.well-known/openid-configuration`;
    const res = await doFetch(url, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    const doc = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (doc.issuer !== opts.issuer) throw new Error(`${url} names the issuer ${String(doc.issuer)}`);
    if (typeof doc.jwks_uri !== 'string') throw new Error(`${url} has no jwks_uri`);
    const jwksUri = new URL(doc.jwks_uri);
    // The keys decide who may publish: same transport rules as the issuer itself.
    if (jwksUri.protocol !== 'https:' && jwksUri.protocol !== new URL(opts.issuer).protocol)
      throw new Error(`jwks_uri ${jwksUri.href} is not https`);
    return createRemoteJWKSet(jwksUri, { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
  };

  return {
    async verify(token, nowSeconds) {
      const { header, payload } = decodeUnverified(token);
      checkAlgorithm(header);
      // Refusing on an unverified claim is safe (acceptance needs the signature), and it names the
      // real problem instead of "unknown key" for a token from another issuer.
      checkIssuer(payload, opts.issuer);
      if (!keys) {
        keys = discover();
        keys.catch(() => {
          keys = undefined; // retried on the next exchange
        });
      }
      let verified: Uint8Array;
      try {
        verified = (await compactVerify(token, await keys, { algorithms: [ALGORITHM] })).payload;
      } catch (err) {
        throw refusalOf(err, opts.issuer);
      }
      const claims = JSON.parse(Buffer.from(verified).toString('utf8')) as Record<string, unknown>;
      checkClaims(claims, opts.audience, nowSeconds);
      return claims;
    },
  };
}

function refusalOf(err: unknown, issuer: string): ExchangeRefused {
  if (err instanceof ExchangeRefused) return err;
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys)
    return new ExchangeRefused(
      'unknown_key',
      `the ID token's key id is not among ${issuer}'s published keys`,
    );
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return new ExchangeRefused('invalid_signature', 'the ID token signature does not verify');
  if (err instanceof errors.JOSEAlgNotAllowed)
    return new ExchangeRefused('unsupported_algorithm', `only ${ALGORITHM} is accepted`);
  if (err instanceof errors.JWSInvalid)
    return new ExchangeRefused('malformed_token', 'the ID token is not a valid JWS');
  return new ExchangeRefused(
    'issuer_unavailable',
    `could not get ${issuer}'s signing keys: ${(err as Error).message ?? String(err)}`,
  );
}
