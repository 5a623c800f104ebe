import { OciError } from '../oci/errors.ts';
import type { Action, Principal } from './access.ts';
import { CATALOG_SCOPE } from './tokens.ts';

/**
 * A 401 the edge answers with a Bearer challenge (`WWW-Authenticate`, built in app.ts from the
 * request's base URL): code below the edge says what is missing, never how to ask for it.
 */
export class AuthRequiredError extends OciError {
  constructor(
    message: string,
    /** The token scope that would grant the request (`repository:<name>:pull`, …). */
    readonly scope?: string,
    /** RFC 6750 error code: a token was presented but does not grant enough. */
    readonly reason?: 'insufficient_scope',
  ) {
    super(401, 'UNAUTHORIZED', message);
  }
}

/**
 * What a route requires of the caller, checked once at the edge before its handler runs:
 * - `public`: nothing, not even a readable Authorization header (health, OIDC discovery and
 *   exchange, where the ID token in the body is the credential);
 * - `caller`: any caller, anonymous included; the handler filters by `subject.can` (search);
 * - `login`: a caller the registry accepts (anonymous only when anonymous pull is on);
 * - `catalog`: a caller who may list repositories;
 * - `admin`: an admin credential (trusted publishers, credentials);
 * - `{ action, repository }`: `action` on the route's repository (`name`: the OCI name in the
 *   path; `pack`: a pack's repository, from its name and the `base` query parameter).
 */
export type Permission =
  | 'public'
  | 'caller'
  | 'login'
  | 'catalog'
  | 'admin'
  | { action: Action; repository: 'name' | 'pack' };

/** Throws AuthRequiredError (401) or 403 when `principal` lacks `permission`. */
export function authorize(permission: Permission, principal: Principal, repository: string): void {
  if (permission === 'public' || permission === 'caller') return;
  if (permission === 'login') {
    // Anonymous callers are let in exactly when they may pull (anonymous pull is on).
    if (principal.kind === 'anonymous' && !principal.can('pull', ''))
      throw new AuthRequiredError('authentication required');
    return;
  }
  if (permission === 'catalog') {
    // A token without the catalog scope is told so, as on repository routes (podman search relies on it).
    if (principal.listPrefix === undefined && principal.kind === 'bearer')
      throw new AuthRequiredError(
        `token does not grant ${CATALOG_SCOPE}`,
        CATALOG_SCOPE,
        'insufficient_scope',
      );
    if (principal.listPrefix === undefined)
      throw new AuthRequiredError('authentication required to list repositories', CATALOG_SCOPE);
    return;
  }
  if (permission === 'admin') {
    if (principal.adminPrefix !== undefined) return;
    if (principal.kind === 'anonymous') throw new AuthRequiredError('authentication required');
    throw new OciError(403, 'DENIED', 'this needs an admin credential (Basic auth)');
  }
  const { action } = permission;
  if (principal.can(action, repository)) return;
  const scope = `repository:${repository}:${action === 'pull' ? 'pull' : action === 'push' ? 'pull,push' : 'delete'}`;
  if (principal.kind === 'anonymous')
    throw new AuthRequiredError(`authentication required to ${action} ${repository}`, scope);
  if (principal.kind === 'bearer')
    throw new AuthRequiredError(
      `token does not grant ${action} on ${repository}`,
      scope,
      'insufficient_scope',
    );
  throw new OciError(403, 'DENIED', `${principal.subject} may not ${action} ${repository}`, {
    action,
    repository,
  });
}
