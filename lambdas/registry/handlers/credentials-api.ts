import type { Principal } from '../auth/access.ts';
import {
  CredentialInputError,
  checkExpiry,
  checkScope,
  checkUsername,
  generatePassword,
  isExpired,
  MIN_PASSWORD,
  normalizePrefix,
  wouldLoseLastAdmin,
} from '../auth/credential-rules.ts';
import { hashPassword } from '../auth/passwords.ts';
import { managesPrefix } from '../auth/publishers.ts';
import type { ApiGatewayResult } from '../http/apigw.ts';
import { json, respond } from '../http/response.ts';
import { badRequest, notFound, OciError } from '../oci/errors.ts';
import type { CredentialRecord } from '../ports.ts';
import type { RegistryContext } from './context.ts';

/**
 * The credentials admin API (`/api/v1/credentials`), what `packyard user --registry` calls. Admin
 * credentials only; an admin limited to a prefix sees and manages only credentials inside it.
 * Passwords are generated here and shown once (the answer to create and rotate); only hashes
 * are stored.
 */

function credentialJson(c: CredentialRecord, now: Date) {
  return {
    username: c.username,
    scope: c.scope,
    prefix: c.prefix,
    createdAt: c.createdAt,
    createdBy: c.createdBy ?? null,
    expiresAt: c.expiresAt ?? null,
    expired: isExpired(c, now),
    lastUsedAt: c.lastUsedAt ?? null,
  };
}

/** The edge checked the route's `admin` permission; this is the prefix the admin manages. */
function adminPrefixOf(principal: Principal): string {
  if (principal.adminPrefix === undefined)
    throw new OciError(403, 'DENIED', 'this needs an admin credential (Basic auth)');
  return principal.adminPrefix;
}

function body(raw: Uint8Array): Record<string, unknown> {
  if (raw.length === 0) return {};
  try {
    const v = JSON.parse(Buffer.from(raw).toString('utf8'));
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw badRequest('UNSUPPORTED', 'send a JSON object');
}

function input<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CredentialInputError) throw badRequest('UNSUPPORTED', err.message);
    throw err;
  }
}

async function findManaged(
  ctx: RegistryContext,
  adminPrefix: string,
  username: string,
): Promise<CredentialRecord> {
  const found = username.length <= 128 ? await ctx.index.getCredential(username) : undefined;
  // Credentials outside the admin's prefix are reported absent, like repositories outside a prefix.
  if (!found || !managesPrefix(adminPrefix, found.prefix))
    throw notFound('NAME_UNKNOWN', `no credential "${username.slice(0, 128)}"`);
  return found;
}

export async function listCredentialsApi(
  ctx: RegistryContext,
  principal: Principal,
): Promise<ApiGatewayResult> {
  const adminPrefix = adminPrefixOf(principal);
  const now = ctx.now();
  const all = await ctx.index.listCredentials();
  return json(200, {
    credentials: all.filter((c) => managesPrefix(adminPrefix, c.prefix)).map((c) => credentialJson(c, now)),
  });
}

export async function createCredentialApi(
  ctx: RegistryContext,
  principal: Principal,
  raw: Uint8Array,
): Promise<ApiGatewayResult> {
  const adminPrefix = adminPrefixOf(principal);
  const b = body(raw);
  const now = ctx.now();
  const username = input(() => checkUsername(typeof b.username === 'string' ? b.username : ''));
  const scope = input(() => checkScope(b.scope ?? 'read'));
  const prefix = input(() => normalizePrefix(typeof b.prefix === 'string' ? b.prefix : ''));
  const expiresAt = input(() => checkExpiry(b.expiresAt, now));
  if (!managesPrefix(adminPrefix, prefix))
    throw new OciError(
      403,
      'DENIED',
      `${principal.subject} may not manage credentials for ${prefix || 'all repositories'}`,
    );
  let password = generatePassword();
  if (b.password !== undefined) {
    if (typeof b.password !== 'string' || b.password.length < MIN_PASSWORD)
      throw badRequest(
        'UNSUPPORTED',
        `password must be at least ${MIN_PASSWORD} characters (or leave it out to get one generated)`,
      );
    password = b.password;
  }
  const record: CredentialRecord = {
    username,
    passwordHash: await hashPassword(password),
    scope,
    prefix,
    createdAt: now.toISOString(),
    createdBy: principal.subject,
    expiresAt,
  };
  if (b.replace === true) {
    const existing = await ctx.index.getCredential(username);
    if (existing) {
      if (!managesPrefix(adminPrefix, existing.prefix))
        throw notFound('NAME_UNKNOWN', `no credential "${username}"`);
      if (wouldLoseLastAdmin(await ctx.index.listCredentials(), username, now, record))
        throw new OciError(
          409,
          'DENIED',
          `"${username}" is the last admin for all repositories; add another before demoting it`,
        );
    }
    await ctx.index.putCredential(record);
  } else if (!(await ctx.index.createCredential(record))) {
    throw new OciError(409, 'DENIED', `credential "${username}" exists; send "replace": true to replace it`);
  }
  return json(201, { ...credentialJson(record, now), password });
}

export async function updateCredentialApi(
  ctx: RegistryContext,
  principal: Principal,
  username: string,
  raw: Uint8Array,
): Promise<ApiGatewayResult> {
  const adminPrefix = adminPrefixOf(principal);
  const current = await findManaged(ctx, adminPrefix, username);
  const b = body(raw);
  const now = ctx.now();
  for (const k of Object.keys(b))
    if (k !== 'expiresAt')
      throw badRequest(
        'UNSUPPORTED',
        `only expiresAt can be changed (got "${k.slice(0, 40)}"); replace the credential to change more`,
      );
  const next: CredentialRecord = { ...current, expiresAt: input(() => checkExpiry(b.expiresAt, now)) };
  if (wouldLoseLastAdmin(await ctx.index.listCredentials(), username, now, next) && next.expiresAt)
    throw new OciError(
      409,
      'DENIED',
      `"${username}" is the last admin for all repositories; it cannot expire`,
    );
  await ctx.index.putCredential(next);
  return json(200, credentialJson(next, now));
}

export async function rotateCredentialApi(
  ctx: RegistryContext,
  principal: Principal,
  username: string,
): Promise<ApiGatewayResult> {
  const adminPrefix = adminPrefixOf(principal);
  const current = await findManaged(ctx, adminPrefix, username);
  const password = generatePassword();
  const next: CredentialRecord = { ...current, passwordHash: await hashPassword(password) };
  await ctx.index.putCredential(next);
  return json(200, { ...credentialJson(next, ctx.now()), password });
}

export async function removeCredentialApi(
  ctx: RegistryContext,
  principal: Principal,
  username: string,
): Promise<ApiGatewayResult> {
  const adminPrefix = adminPrefixOf(principal);
  await findManaged(ctx, adminPrefix, username);
  if (wouldLoseLastAdmin(await ctx.index.listCredentials(), username, ctx.now()))
    throw new OciError(
      409,
      'DENIED',
      `"${username}" is the last admin for all repositories; add another admin first`,
    );
  await ctx.index.deleteCredential(username);
  return respond(204);
}
