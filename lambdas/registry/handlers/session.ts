import type { Authenticator } from '../auth/authenticate.ts';
import { AuthRequiredError } from '../auth/authorize.ts';
import { MAX_TOKEN_TTL } from '../auth/tokens.ts';
import type { ApiGatewayResult } from '../http/apigw.ts';
import { json } from '../http/response.ts';
import { badRequest } from '../oci/errors.ts';
import type { RegistryContext } from './context.ts';

const USAGE = 'send {"username": "…", "password": "…"} as JSON';

/**
 * POST /api/v1/session: the catalog's sign-in. Exchanges a registry credential for a short-lived
 * bearer token that may pull (only) where the credential may, and list the same prefix: the
 * browser keeps the token, never the password, and sees exactly what the credential may pull.
 * Read-write and admin credentials get the same read-only token.
 */
export async function createSession(
  ctx: RegistryContext<unknown>,
  auth: Authenticator,
  body: Uint8Array,
): Promise<ApiGatewayResult> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    throw badRequest('UNSUPPORTED', `the sign-in body is not JSON; ${USAGE}`);
  }
  const { username, password } = (parsed ?? {}) as { username?: unknown; password?: unknown };
  if (typeof username !== 'string' || typeof password !== 'string' || username === '')
    throw badRequest('UNSUPPORTED', `the sign-in body needs a username and a password; ${USAGE}`);
  const principal = await auth.checkPassword(username, password);
  // A trusted-publishing token is not a person's credential: it has no catalog view.
  if (!principal || principal.publisher || principal.listPrefix === undefined)
    throw new AuthRequiredError('invalid username or password');
  const prefix = principal.listPrefix;
  const { token, expiresIn } = await ctx.tokens.issue(principal.subject, [], MAX_TOKEN_TTL, prefix, {
    pullPrefix: prefix,
  });
  return json(
    200,
    { token, expires_in: expiresIn, subject: principal.subject, prefix },
    { 'cache-control': 'no-store' },
  );
}
