import type { Scope } from '../ports.ts';

export type Action = 'pull' | 'push' | 'delete';

/** Who is asking, and what they may do. */
export interface Principal {
  /** '' for anonymous. */
  subject: string;
  kind: 'anonymous' | 'basic' | 'bearer';
  /** May the principal perform `action` on `repository`? */
  can(action: Action, repository: string): boolean;
  /** Catalog listing: repositories outside this prefix are hidden (undefined: none visible). */
  listPrefix?: string;
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
    can: (action, repository) => allowed.has(action) && inPrefix(repository, prefix),
    listPrefix: prefix,
  };
}

export interface TokenAccess {
  type: 'repository';
  name: string;
  actions: Action[];
}

export function tokenPrincipal(subject: string, access: TokenAccess[], listPrefix?: string): Principal {
  return {
    subject,
    kind: 'bearer',
    can: (action, repository) => access.some((a) => a.name === repository && a.actions.includes(action)),
    listPrefix,
  };
}

export function anonymousPrincipal(anonymousPull: boolean): Principal {
  return {
    subject: '',
    kind: 'anonymous',
    can: (action) => anonymousPull && action === 'pull',
    listPrefix: anonymousPull ? '' : undefined,
  };
}
