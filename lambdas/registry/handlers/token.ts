import type { Principal } from '../auth/access.ts';
import { CATALOG_SCOPE, parseScopes } from '../auth/tokens.ts';
import type { ApiGatewayResult } from '../http/apigw.ts';
import { json } from '../http/response.ts';
import { validateName } from '../oci/names.ts';
import type { RegistryContext } from './context.ts';

/**
 * The Docker token endpoint: grants the requested repository actions the principal holds (and
 * silently drops the rest, as the protocol expects), in a short-lived bearer token.
 */
export async function issueToken(
  ctx: RegistryContext,
  principal: Principal,
  scopes: string[],
): Promise<ApiGatewayResult> {
  // Names are checked as on every route: a token never names a repository no route would accept.
  const requested = parseScopes(scopes);
  for (const a of requested) validateName(a.name);
  const access = requested
    .map((a) => ({ ...a, actions: a.actions.filter((action) => principal.can(action, a.name)) }))
    .filter((a) => a.actions.length > 0);
  // `_catalog` through a token: the token carries the credential's own listing prefix.
  const catalog = scopes.some((s) => s.split(' ').includes(CATALOG_SCOPE)) ? principal.listPrefix : undefined;
  const { token, expiresIn, issuedAt } = await ctx.tokens.issue(
    principal.subject,
    access,
    ctx.config.tokenTtlSeconds,
    catalog,
    // A token got with a trusted-publishing token keeps its publisher (for provenance) and never
    // outlives it.
    { publisher: principal.publisher, notAfter: principal.expiresAt },
  );
  return json(
    200,
    { token, access_token: token, expires_in: expiresIn, issued_at: issuedAt },
    { 'cache-control': 'no-store' },
  );
}
