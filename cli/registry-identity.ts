import type { RegistryRef } from '../client/reference.ts';
import type { RegistryClient } from '../client/registry-client.ts';

/** What a Packyard registry says of the credentials (`GET /api/v1/whoami`). */
export interface Identity {
  subject: string;
  kind: string;
  scope: 'read' | 'write' | 'admin' | null;
  prefix: string | null;
}

/** The identity, or undefined when the registry is not Packyard (or does not say). */
export async function fetchIdentity(client: RegistryClient): Promise<Identity | undefined> {
  try {
    const who = await client.getJson<Identity>('/api/v1/whoami');
    return who && typeof who.subject === 'string' ? who : undefined;
  } catch {
    return undefined;
  }
}

export type Intent = 'pull' | 'push' | 'delete' | 'list';

const NEEDS: Record<Intent, 'read' | 'write' | 'admin'> = {
  pull: 'read',
  list: 'read',
  push: 'write',
  delete: 'admin',
};
const RANK = { read: 0, write: 1, admin: 2 } as const;

function inPrefix(repository: string, prefix: string): boolean {
  if (prefix === '') return true;
  const p = prefix.endsWith('/') ? prefix : `${prefix}/`;
  return repository.startsWith(p) || repository === prefix.replace(/\/$/, '');
}

/**
 * Why these credentials cannot do `intent` on `repository`, said as what to do about it, or
 * undefined when the registry would allow it (or cannot tell). One wording for every command.
 */
export function denial(
  who: Identity | undefined,
  ref: RegistryRef,
  intent: Intent,
  repository: string,
): string | undefined {
  if (who?.kind !== 'basic' || who.scope === null) return undefined;
  const needed = NEEDS[intent];
  if (RANK[who.scope] < RANK[needed]) {
    return `${who.subject} has ${who.scope} access; to ${intent} it needs ${needed === 'admin' ? 'an' : 'a'} ${needed} credential (ask an admin: packyard user add NAME --scope ${needed})`;
  }
  const prefix = who.prefix ?? '';
  if (!inPrefix(repository, prefix)) {
    const base = prefix.split('/spectro-packs/')[0]?.replace(/\/+$/, '') ?? '';
    const verb = intent === 'list' ? 'see packs' : intent;
    return `${who.subject} may ${verb} only under ${prefix}, not ${repository}: use --registry ${ref.host}/${base}`;
  }
  return undefined;
}
