import { OIDC_USERNAME } from '../auth/oidc-username.ts';
import {
  ExchangeRefused,
  type IdTokenVerifier,
  idTokenVerifier,
  LEEWAY_SECONDS,
  type RefusalReason,
} from '../auth/oidc-verify.ts';
import { matchBinding, provenanceOf } from '../auth/publishers.ts';
import type { ApiGatewayResult } from '../http/apigw.ts';
import { json, ociErrorResponse } from '../http/response.ts';
import { OciError } from '../oci/errors.ts';
import type { PublisherIndex } from '../ports.ts';
import type { RegistryContext } from './context.ts';

/**
 * `POST /api/v1/oidc/token`: trusted publishing. A workflow's GitHub Actions ID token is verified
 * (auth/oidc-verify.ts), matched against the trusted-publisher bindings stored for its
 * repository (auth/publishers.ts), recorded so it cannot be used twice, and exchanged for a
 * short-lived registry token that may pull and push inside the matching bindings' prefixes.
 */

/** ID tokens are ~1 KB; anything much larger is not one. */
const MAX_BODY_BYTES = 16 * 1024;

const STATUS: Record<RefusalReason, number> = {
  malformed_token: 400,
  unsupported_algorithm: 401,
  wrong_issuer: 401,
  unknown_key: 401,
  invalid_signature: 401,
  expired: 401,
  not_yet_valid: 401,
  wrong_audience: 401,
  replayed: 401,
  no_bindings: 403,
  binding_mismatch: 403,
  issuer_unavailable: 503,
};

export interface Exchanger {
  exchange(body: Uint8Array, contentType: string | undefined): Promise<ApiGatewayResult>;
}

export function oidcExchanger(
  ctx: RegistryContext<PublisherIndex>,
  log: (entry: Record<string, unknown>) => void,
  verifier: IdTokenVerifier = idTokenVerifier({
    issuer: ctx.config.oidcIssuer,
    audience: ctx.config.oidcAudience,
  }),
): Exchanger {
  return {
    async exchange(body, contentType) {
      let repository: string | undefined;
      try {
        const token = readToken(body, contentType);
        const nowSeconds = Math.floor(ctx.now().getTime() / 1000);
        const claims = await verifier.verify(token, nowSeconds);
        repository = String(claims.repository);
        return await mint(ctx, log, claims, nowSeconds);
      } catch (err) {
        if (!(err instanceof ExchangeRefused)) throw err;
        // Refusals are logged, not stored: anyone can call this endpoint, and a table write per
        // forged token would let them grow the table at will.
        log({
          level: 'warn',
          msg: 'oidc exchange refused',
          reason: err.reason,
          repository,
          claims: err.claims,
          bindings: err.bindings?.map((b) => ({ id: b.id, mismatches: b.mismatches })),
        });
        const status = STATUS[err.reason];
        const code = status === 403 ? 'DENIED' : status === 401 ? 'UNAUTHORIZED' : 'UNSUPPORTED';
        const detail = {
          reason: err.reason,
          claims: err.claims,
          ...(err.bindings ? { bindings: err.bindings } : {}),
        };
        return ociErrorResponse(
          new OciError(status, code, err.message, detail, { 'cache-control': 'no-store' }),
        );
      }
    },
  };
}

/** `{"token": "<ID token>"}` (JSON) or `token=<ID token>` (form). */
function readToken(body: Uint8Array, contentType: string | undefined): string {
  if (body.length === 0 || body.length > MAX_BODY_BYTES)
    throw new ExchangeRefused('malformed_token', 'send the ID token as {"token": "<jwt>"}');
  const text = Buffer.from(body).toString('utf8');
  let token: unknown;
  if (contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    token = new URLSearchParams(text).get('token');
  } else {
    try {
      token = (JSON.parse(text) as { token?: unknown })?.token;
    } catch {
      token = undefined;
    }
  }
  if (typeof token !== 'string' || token === '')
    throw new ExchangeRefused('malformed_token', 'send the ID token as {"token": "<jwt>"}');
  return token;
}

async function mint(
  ctx: RegistryContext<PublisherIndex>,
  log: (entry: Record<string, unknown>) => void,
  claims: Record<string, unknown>,
  nowSeconds: number,
): Promise<ApiGatewayResult> {
  const repository = String(claims.repository);
  const bindings = await ctx.index.listPublishersFor(repository);
  if (bindings.length === 0) {
    throw new ExchangeRefused(
      'no_bindings',
      `no trusted publisher is configured for the GitHub repository ${repository}; add one with "packyard publisher add"`,
      [
        {
          claim: 'repository',
          expected: 'a repository with a trusted-publisher binding',
          actual: repository,
        },
      ],
    );
  }
  const results = bindings.map((b) => ({ binding: b, mismatches: matchBinding(b, claims) }));
  const matched = results.filter((r) => r.mismatches.length === 0).map((r) => r.binding);
  if (matched.length === 0) {
    const first = results[0]?.mismatches[0];
    throw new ExchangeRefused(
      'binding_mismatch',
      `no trusted publisher of ${repository} matches this workflow run${first ? ` (e.g. ${first.claim} is ${JSON.stringify(first.actual)}, expected ${JSON.stringify(first.expected)})` : ''}`,
      [...new Map(results.flatMap((r) => r.mismatches).map((m) => [m.claim, m])).values()],
      results.map((r) => ({ id: r.binding.id, prefix: r.binding.prefix, mismatches: r.mismatches })),
    );
  }
  // Last check before minting, so only a token that would succeed is spent. The record lives as
  // long as the token could still pass the exp check.
  const issuer = ctx.config.oidcIssuer;
  const exp = Number(claims.exp);
  if (!(await ctx.index.claimTokenId(issuer, String(claims.jti), exp + LEEWAY_SECONDS + 1))) {
    throw new ExchangeRefused('replayed', 'this ID token was already exchanged; request a fresh one', [
      { claim: 'jti', expected: 'not used before', actual: String(claims.jti) },
    ]);
  }
  const provenance = provenanceOf(claims, issuer);
  const grants = [...new Set(matched.map((b) => b.prefix))];
  const subject = `github:${repository}`;
  const { token, expiresIn, issuedAt } = await ctx.tokens.issue(
    subject,
    [],
    ctx.config.oidcTokenTtlSeconds,
    grants.length === 1 ? grants[0] : undefined,
    {
      grants,
      publisher: { provenance, bindings: matched.map((b) => ({ prefix: b.prefix, id: b.id })) },
    },
  );
  const expiresAt = new Date((nowSeconds + expiresIn) * 1000).toISOString();
  for (const b of matched) {
    await ctx.index.putPublisherAudit({
      event: 'exchange',
      bindingId: b.id,
      at: ctx.now().toISOString(),
      provenance,
      tokenExpiresAt: expiresAt,
      jti: String(claims.jti).slice(0, 256),
    });
  }
  log({
    level: 'info',
    msg: 'oidc exchange',
    repository,
    runId: provenance.runId,
    bindings: matched.map((b) => b.id),
    prefixes: grants,
  });
  return json(
    200,
    {
      token,
      access_token: token,
      expires_in: expiresIn,
      issued_at: issuedAt,
      // Basic auth (docker login, skopeo --creds) takes the token as the password of this user.
      username: OIDC_USERNAME,
      prefixes: grants,
      actions: ['pull', 'push'],
      bindings: matched.map((b) => b.id),
    },
    { 'cache-control': 'no-store' },
  );
}
