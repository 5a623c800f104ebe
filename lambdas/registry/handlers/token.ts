import type { Principal } from '../auth/access.ts';
import type { Authenticator } from '../auth/authenticate.ts';
import { AuthRequiredError } from '../auth/authorize.ts';
import { CATALOG_SCOPE, parseScopes } from '../auth/tokens.ts';
import type { ApiGatewayResult } from '../http/apigw.ts';
import type { Request } from '../http/request.ts';
import { json } from '../http/response.ts';
import type { RegistryContext } from './context.ts';

/**
 * `GET|POST /v2/token`, the Docker token endpoint: GET authenticates with the request's
 * credentials (or none, with anonymous pull), POST is the OAuth2 password grant some clients
 * send instead.
 */
export async function tokenEndpoint(
  ctx: RegistryContext<unknown>,
  auth: Authenticator,
  req: Request,
  subject: Principal,
): Promise<ApiGatewayResult> {
  let who = subject;
  let scopes = req.query.getAll('scope');
  if (req.method === 'POST') {
    const form = new URLSearchParams(Buffer.from(req.body).toString('utf8'));
    const grant = form.get('grant_type');
    if (grant !== 'password') {
      return json(400, {
        error: 'unsupported_grant_type',
        error_description: 'use grant_type=password, or GET with Basic auth',
      });
    }
    const found = await auth.checkPassword(form.get('username') ?? '', form.get('password') ?? '');
    if (!found) throw new AuthRequiredError('invalid username or password');
    who = found;
    scopes = form.getAll('scope');
  }
  if (who.kind === 'anonymous' && !ctx.config.anonymousPull)
    throw new AuthRequiredError('log in to get a token');
  if (who.kind === 'bearer') throw new AuthRequiredError('use a username and password to get a token');
  return issueToken(ctx, who, scopes);
}

/**
 * Grants the requested repository actions the principal holds (and silently drops the rest, as
 * the protocol expects), in a short-lived bearer token.
 */
async function issueToken(
  ctx: RegistryContext<unknown>,
  principal: Principal,
  scopes: string[],
): Promise<ApiGatewayResult> {
  const access = parseScopes(scopes)
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
