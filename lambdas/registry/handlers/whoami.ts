import type { Principal } from '../auth/access.ts';
import type { ApiGatewayResult } from '../http/apigw.ts';
import { json } from '../http/response.ts';

/**
 * `GET /api/v1/whoami`: who the credentials are and where they may act, so a client can say what
 * to do when a push or pull is refused ("team-a may push only under team-a/: use --registry
 * host/team-a"). Nothing secret: the caller already holds the credential.
 */
export function whoami(principal: Principal): ApiGatewayResult {
  return json(
    200,
    {
      subject: principal.subject,
      kind: principal.kind,
      scope: principal.scope ?? null,
      prefix: principal.listPrefix ?? null,
      publisher: principal.publisher ? true : undefined,
    },
    { 'cache-control': 'no-store' },
  );
}
