import type { Scope } from '../ports.ts';

export type Action = 'pull' | 'push' | 'delete';

/** Who is asking, and what they may do. */
export interface Principal {
  /** '' for anonymous. */
  subject: string;
  kind: 'anonymous' | 'basic' | 'bearer';
  /** May the principal perform `action` on `repository`? */
  can(action: Action, repository: string): boolean;
  /**
   * True when `can('pull', r)` holds for every repository r (a prefix of '' covers them all):
   * listings then have nothing to hide and skip the per-item check, and its cost.
   */
  pullsEverything: boolean;
  /** A Basic credential's scope (what `GET /api/v1/whoami` reports). */
  scope?: Scope;
  /** Catalog listing: repositories outside this prefix are hidden (undefined: none visible). */
  listPrefix?: string;
  /** Trusted-publisher bindings may be managed inside this prefix (admin credentials only). */
  adminPrefix?: string;
  /** Set when the principal is a trusted publisher (a token minted from a GitHub OIDC ID token). */
  publisher?: PublisherIdentity;
  /** Epoch seconds after which the principal's credential (a token) is no longer valid. */
  expiresAt?: number;
}

/** Who published, carried inside trusted-publishing tokens so a push records it without a lookup. */
export interface PublisherIdentity {
  /** The workflow run: repository, ids, workflow, run, sha, ref, actor, … (strings). */
  provenance: Record<string, string>;
  /** The bindings that matched, each with the prefix it covers (the audit names the one used). */
  bindings: { prefix: string; id: string }[];
}

const ACTIONS_BY_SCOPE: Record<Scope, Action[]> = {
  read: ['pull'],
  write: ['pull', 'push'],
  admin: ['pull', 'push', 'delete'],
};

export function actionsFor(scope: Scope): Action[] {
  return ACTIONS_BY_SCOPE[scope];
}

/** A prefix like "team-a/" covers "team-a/x" but never "team-ab/x"; '' covers everything. */
export function inPrefix(repository: string, prefix: string): boolean {
  if (prefix === '') return true;
  const p = prefix.endsWith('/') ? prefix : `${prefix}/`;
  return repository.startsWith(p) || repository === prefix.replace(/\/$/, '');
}

export function credentialPrincipal(username: string, scope: Scope, prefix: string): Principal {
  const allowed = new Set(actionsFor(scope));
  return {
    subject: username,
    kind: 'basic',
    scope,
    can: (action, repository) => allowed.has(action) && inPrefix(repository, prefix),
    // Every scope includes pull.
    pullsEverything: prefix === '',
    listPrefix: prefix,
    adminPrefix: scope === 'admin' ? prefix : undefined,
  };
}

export interface TokenAccess {
  type: 'repository';
  name: string;
  actions: Action[];
}

/** What trusted-publishing grants allow: pull and push, never delete. */
const GRANT_ACTIONS: Action[] = ['pull', 'push'];

export function tokenPrincipal(
  subject: string,
  access: TokenAccess[],
  listPrefix?: string,
  extras: {
    grants?: string[];
    publisher?: PublisherIdentity;
    expiresAt?: number;
    kind?: 'basic' | 'bearer';
    /** Pull (only) anywhere in this prefix: a catalog session token (handlers/session.ts). */
    pullPrefix?: string;
  } = {},
): Principal {
  const grants = extras.grants ?? [];
  return {
    subject,
    kind: extras.kind ?? 'bearer',
    can: (action, repository) =>
      access.some((a) => a.name === repository && a.actions.includes(action)) ||
      (action === 'pull' && extras.pullPrefix !== undefined && inPrefix(repository, extras.pullPrefix)) ||
      (GRANT_ACTIONS.includes(action) && grants.some((prefix) => inPrefix(repository, prefix))),
    pullsEverything: extras.pullPrefix === '' || grants.includes(''),
    listPrefix,
    publisher: extras.publisher,
    expiresAt: extras.expiresAt,
  };
}

export function anonymousPrincipal(anonymousPull: boolean): Principal {
  return {
    subject: '',
    kind: 'anonymous',
    can: (action) => anonymousPull && action === 'pull',
    pullsEverything: anonymousPull,
    listPrefix: anonymousPull ? '' : undefined,
  };
}

/**
 * What a listing must check per repository for `principal`: nothing (undefined) when it may pull
 * everything, else whether it may pull the repository.
 */
export function pullFilter(principal: Principal): ((repository: string) => boolean) | undefined {
  return principal.pullsEverything ? undefined : (repository) => principal.can('pull', repository);
}
