import { randomBytes } from 'node:crypto';
import type { CredentialRecord, Scope } from '../ports.ts';
import { OIDC_USERNAME } from './oidc-username.ts';

/**
 * Rules every way of managing credentials shares (the admin API and `packyard user` on a folder
 * or table): names, prefixes, expiry, and "never remove or demote the last full admin".
 */

export const SCOPES: readonly Scope[] = ['read', 'write', 'admin'];
export const MIN_PASSWORD = 12;

/** A problem with the input, phrased for the person who typed it. */
export class CredentialInputError extends Error {}

export function checkUsername(username: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/.test(username))
    throw new CredentialInputError(
      `user name "${username.slice(0, 140)}" must be 1–128 letters, digits, ".", "_", "@" or "-"`,
    );
  if (username === OIDC_USERNAME)
    throw new CredentialInputError(
      `"${OIDC_USERNAME}" is reserved: it is the user name of trusted-publishing tokens (see "packyard publisher")`,
    );
  return username;
}

/** '' (all repositories) or a prefix ending in "/". */
export function normalizePrefix(prefix: string): string {
  if (prefix && !/^[a-z0-9][a-z0-9._/-]*$/.test(prefix))
    throw new CredentialInputError(
      `prefix "${prefix.slice(0, 140)}" is not a repository prefix (e.g. team-a/)`,
    );
  return prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix;
}

export function checkScope(scope: unknown): Scope {
  if (typeof scope === 'string' && (SCOPES as string[]).includes(scope)) return scope as Scope;
  throw new CredentialInputError(`scope must be one of ${SCOPES.join(', ')}`);
}

/** An ISO date or time in the future, as ISO; undefined for none. */
export function checkExpiry(value: unknown, now: Date): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const t = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(t))
    throw new CredentialInputError('expiresAt must be an ISO date or time, e.g. 2027-01-01T00:00:00Z');
  if (t <= now.getTime()) throw new CredentialInputError('expiresAt must be in the future');
  return new Date(t).toISOString();
}

export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

export function isExpired(c: Pick<CredentialRecord, 'expiresAt'>, now: Date): boolean {
  return c.expiresAt !== undefined && Date.parse(c.expiresAt) <= now.getTime();
}

const isFullAdmin = (c: CredentialRecord, now: Date) =>
  c.scope === 'admin' && c.prefix === '' && !isExpired(c, now);

/**
 * Whether removing `username`, or replacing it with `replacement`, would leave no unexpired admin
 * for all repositories (nobody could manage credentials over the API any more).
 */
export function wouldLoseLastAdmin(
  all: readonly CredentialRecord[],
  username: string,
  now: Date,
  replacement?: CredentialRecord,
): boolean {
  const current = all.find((c) => c.username === username);
  if (!current || !isFullAdmin(current, now)) return false;
  if (replacement && isFullAdmin(replacement, now)) return false;
  return !all.some((c) => c.username !== username && isFullAdmin(c, now));
}
