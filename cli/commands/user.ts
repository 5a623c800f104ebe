import path from 'node:path';
import { type Command, Option } from 'commander';
import { RegistryError } from '../../client/registry-client.ts';
import type { AdminIndex } from '../../lambdas/admin-index.ts';
import {
  CredentialInputError,
  checkExpiry,
  checkUsername,
  generatePassword,
  isExpired,
  MIN_PASSWORD,
  normalizePrefix,
  wouldLoseLastAdmin,
} from '../../lambdas/registry/auth/credential-rules.ts';
import { hashPassword } from '../../lambdas/registry/auth/passwords.ts';
import type { CredentialRecord, Scope } from '../../lambdas/registry/ports.ts';
import { formatOption, type Register, storeOptions } from '../command-kit.ts';
import { assertFolderFree, folderInUseMessage, serveLock } from '../data-folder.ts';
import { EXIT, type Io, UsageError } from '../io.ts';
import { openRegistry, type RegistryFlags } from '../registry-access.ts';

/**
 * `packyard user add|remove|list|rotate|expire`. With `--registry` it calls the running
 * registry's credentials API (admin credentials from login/env); otherwise it opens the store
 * directly: a local data folder (refused while `packyard serve` holds it) or a deployed table.
 */

export interface StoreOptions {
  data: string;
  table?: string;
  region?: string;
}

export type UserTarget = StoreOptions & RegistryFlags;

/** Opens the credential store: a deployed DynamoDB table (--table), or a local data folder. */
export async function withIndex<T>(opts: StoreOptions, fn: (index: AdminIndex) => Promise<T>): Promise<T> {
  const dir = path.resolve(opts.data);
  // A running serve names itself in serve.pid: say which process holds the folder, up front.
  if (!opts.table) assertFolderFree(dir);
  // The AWS SDK and the embedded storage: loaded only by the commands that open a store.
  const { IndexInUseError, withAdminIndex } = await import('../../lambdas/admin-index.ts');
  try {
    return await withAdminIndex({ table: opts.table, region: opts.region, dataDir: dir }, fn);
  } catch (err) {
    if (err instanceof IndexInUseError || (!opts.table && /closed/i.test((err as Error).message)))
      throw new Error(folderInUseMessage(dir, serveLock(dir)));
    throw err;
  }
}

function rules<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CredentialInputError) throw new UsageError(err.message);
    throw err;
  }
}

interface CredentialView {
  username: string;
  scope: Scope;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  expired: boolean;
  lastUsedAt: string | null;
}

const view = (c: CredentialRecord): CredentialView => ({
  username: c.username,
  scope: c.scope,
  prefix: c.prefix,
  createdAt: c.createdAt,
  expiresAt: c.expiresAt ?? null,
  expired: isExpired(c, new Date()),
  lastUsedAt: c.lastUsedAt ?? null,
});

/** Runs an admin API call, turning the registry's refusal into a plain message. */
async function api<T>(
  opts: UserTarget,
  io: Io,
  readStdin: () => Promise<string>,
  call: (
    json: <R>(m: 'GET' | 'POST' | 'PATCH' | 'DELETE', p: string, b?: unknown) => Promise<R | undefined>,
  ) => Promise<T>,
): Promise<T> {
  // Admin credentials come from PACKYARD_USERNAME/PACKYARD_PASSWORD or "packyard login", never stdin.
  const access = await openRegistry({ registry: opts.registry, insecure: opts.insecure }, io, readStdin);
  try {
    return await call((m, p, b) => access.client.adminJson(m, p, b));
  } catch (err) {
    if (err instanceof RegistryError && err.status === 409 && /exists/.test(err.message))
      throw new UsageError(
        err.message.replace(/^.*?(credential "[^"]+" exists).*$/, '$1; pass --replace to replace it'),
      );
    if (err instanceof RegistryError && (err.status === 409 || err.status === 404 || err.status === 400))
      throw new Error(err.message.replace(/^[A-Z]+ \S+: /, ''));
    throw access.explain(err);
  }
}

const userPath = (name: string) => `/api/v1/credentials/${encodeURIComponent(name)}`;

export async function userAddCommand(
  username: string,
  opts: UserTarget & {
    scope: Scope;
    prefix: string;
    passwordStdin: boolean;
    replace: boolean;
    expires?: string;
  },
  io: Io,
  readStdin: () => Promise<string>,
): Promise<number> {
  rules(() => checkUsername(username));
  const prefix = rules(() => normalizePrefix(opts.prefix));
  const expiresAt = rules(() => checkExpiry(opts.expires, new Date()));
  const password = opts.passwordStdin ? (await readStdin()).replace(/\r?\n$/, '') : generatePassword();
  if (password.length < MIN_PASSWORD)
    throw new UsageError(`passwords must be at least ${MIN_PASSWORD} characters`);
  const where = `${opts.scope}${prefix ? `, ${prefix}*` : ', all repositories'}${expiresAt ? `, expires ${expiresAt}` : ''}`;
  if (opts.registry) {
    const made = await api(opts, io, readStdin, (json) =>
      json<{ password: string }>('POST', '/api/v1/credentials', {
        username,
        scope: opts.scope,
        prefix,
        ...(expiresAt ? { expiresAt } : {}),
        ...(opts.replace ? { replace: true } : {}),
        ...(opts.passwordStdin ? { password } : {}),
      }),
    );
    io.err(`saved credential "${username}" (${where}) on ${opts.registry}\n`);
    if (!opts.passwordStdin) io.out(`${made?.password}\n`);
    return EXIT.ok;
  }
  const record: CredentialRecord = {
    username,
    passwordHash: await hashPassword(password),
    scope: opts.scope,
    prefix,
    createdAt: new Date().toISOString(),
    expiresAt,
  };
  await withIndex(opts, async (index) => {
    if (opts.replace) {
      if (wouldLoseLastAdmin(await index.listCredentials(), username, new Date(), record))
        throw new Error(
          `"${username}" is the last admin for all repositories; add another admin before demoting it`,
        );
      await index.putCredential(record);
    } else if (!(await index.createCredential(record))) {
      throw new UsageError(
        `credential "${username}" exists; pass --replace to replace it (or "packyard user rotate")`,
      );
    }
  });
  io.err(`saved credential "${username}" (${where})\n`);
  if (!opts.passwordStdin) io.out(`${password}\n`);
  return EXIT.ok;
}

export async function userRemoveCommand(
  username: string,
  opts: UserTarget,
  io: Io,
  readStdin: () => Promise<string>,
): Promise<number> {
  if (opts.registry) {
    await api(opts, io, readStdin, (json) => json('DELETE', userPath(username)));
    io.err(`removed credential "${username}"\n`);
    return EXIT.ok;
  }
  const outcome = await withIndex(opts, async (index) => {
    const all = await index.listCredentials();
    if (wouldLoseLastAdmin(all, username, new Date())) return 'last-admin';
    return (await index.deleteCredential(username)) ? 'removed' : 'absent';
  });
  if (outcome === 'last-admin') {
    io.err(`"${username}" is the last admin for all repositories; add another admin first\n`);
    return EXIT.failed;
  }
  if (outcome === 'absent') {
    io.err(`no credential "${username}"\n`);
    return EXIT.failed;
  }
  io.err(`removed credential "${username}"\n`);
  return EXIT.ok;
}

export async function userRotateCommand(
  username: string,
  opts: UserTarget,
  io: Io,
  readStdin: () => Promise<string>,
): Promise<number> {
  let password: string;
  if (opts.registry) {
    const out = await api(opts, io, readStdin, (json) =>
      json<{ password: string }>('POST', `${userPath(username)}/rotate`),
    );
    password = out?.password ?? '';
  } else {
    password = generatePassword();
    const hash = await hashPassword(password);
    const found = await withIndex(opts, async (index) => {
      const c = await index.getCredential(username);
      if (c) await index.putCredential({ ...c, passwordHash: hash });
      return c !== undefined;
    });
    if (!found) {
      io.err(`no credential "${username}"\n`);
      return EXIT.failed;
    }
  }
  io.err(`new password for "${username}" (shown once; the old one stops working within a minute):\n`);
  io.out(`${password}\n`);
  return EXIT.ok;
}

export async function userExpireCommand(
  username: string,
  when: string,
  opts: UserTarget,
  io: Io,
  readStdin: () => Promise<string>,
): Promise<number> {
  const expiresAt = when === 'never' ? undefined : rules(() => checkExpiry(when, new Date()));
  if (opts.registry) {
    await api(opts, io, readStdin, (json) =>
      json('PATCH', userPath(username), { expiresAt: expiresAt ?? null }),
    );
  } else {
    const outcome = await withIndex(opts, async (index) => {
      const all = await index.listCredentials();
      const c = all.find((x) => x.username === username);
      if (!c) return 'absent';
      const next = { ...c, expiresAt };
      if (expiresAt && wouldLoseLastAdmin(all, username, new Date(), next)) return 'last-admin';
      await index.putCredential(next);
      return 'ok';
    });
    if (outcome !== 'ok') {
      io.err(
        outcome === 'absent'
          ? `no credential "${username}"\n`
          : `"${username}" is the last admin for all repositories; it cannot expire\n`,
      );
      return EXIT.failed;
    }
  }
  io.err(`credential "${username}" ${expiresAt ? `expires ${expiresAt}` : 'never expires'}\n`);
  return EXIT.ok;
}

export async function userListCommand(
  opts: UserTarget & { format: 'text' | 'json' },
  io: Io,
  readStdin: () => Promise<string>,
): Promise<number> {
  const rows: CredentialView[] = opts.registry
    ? ((
        await api(opts, io, readStdin, (json) =>
          json<{ credentials: CredentialView[] }>('GET', '/api/v1/credentials'),
        )
      )?.credentials ?? [])
    : (await withIndex(opts, (index) => index.listCredentials())).map(view);
  if (opts.format === 'json') {
    io.out(`${JSON.stringify(rows, null, 2)}\n`);
    return EXIT.ok;
  }
  for (const r of rows) {
    const expiry = r.expiresAt ? `${r.expired ? 'expired' : 'expires'} ${r.expiresAt}` : 'no expiry';
    io.out(
      `${r.username}\t${r.scope}\t${r.prefix || '*'}\tcreated ${r.createdAt}\t${expiry}\tlast used ${r.lastUsedAt ?? 'never'}\n`,
    );
  }
  return EXIT.ok;
}

/** --data, --table, --region as StoreOptions. */
export function store(o: Record<string, unknown>): StoreOptions {
  return {
    data: o.data as string,
    table: o.table as string | undefined,
    region: o.region as string | undefined,
  };
}

/** Where `user` acts: a running registry (--registry), or a store (--data, --table). */
const targetOptions = (cmd: Command): Command =>
  storeOptions(cmd)
    .option(
      '--registry <url>',
      'a running registry: its credentials API, with admin credentials from PACKYARD_USERNAME/PACKYARD_PASSWORD or "packyard login"',
    )
    .option('--insecure', 'accept an http:// --registry other than localhost');

const target = (o: Record<string, unknown>): UserTarget => ({
  ...store(o),
  registry: o.registry as string | undefined,
  insecure: Boolean(o.insecure),
});

export const register: Register = (program, ctx) => {
  const user = program
    .command('user')
    .description(
      'Manage registry credentials: through a running registry (--registry), or in a local data folder or a deployed table.',
    );
  const { io, setExit, readStdin } = ctx;
  targetOptions(
    user
      .command('add')
      .description('Create a credential; prints a generated password (shown once) unless --password-stdin.')
      .argument('<name>', 'user name')
      .addOption(
        new Option('--scope <scope>', 'what it may do').choices(['read', 'write', 'admin']).default('read'),
      )
      .option('--prefix <prefix>', 'repository prefix it is limited to, e.g. team-a/ (default: all)')
      .option('--expires <time>', 'ISO date or time after which it is refused')
      .option('--replace', 'replace an existing credential of that name')
      .option('--password-stdin', 'read the new password from standard input'),
  ).action(async (name: string, o) =>
    setExit(
      await userAddCommand(
        name,
        {
          ...target(o),
          scope: o.scope,
          prefix: o.prefix ?? '',
          expires: o.expires,
          replace: Boolean(o.replace),
          passwordStdin: Boolean(o.passwordStdin),
        },
        io,
        readStdin,
      ),
    ),
  );
  targetOptions(
    user
      .command('remove')
      .description('Delete a credential (never the last admin).')
      .argument('<name>', 'user name'),
  ).action(async (name: string, o) => setExit(await userRemoveCommand(name, target(o), io, readStdin)));
  targetOptions(
    user
      .command('rotate')
      .description('Give a credential a new generated password (shown once).')
      .argument('<name>', 'user name'),
  ).action(async (name: string, o) => setExit(await userRotateCommand(name, target(o), io, readStdin)));
  targetOptions(
    user
      .command('expire')
      .description('Set when a credential stops working (an ISO date or time), or "never".')
      .argument('<name>', 'user name')
      .argument('<when>', 'ISO date or time, or never'),
  ).action(async (name: string, when: string, o) =>
    setExit(await userExpireCommand(name, when, target(o), io, readStdin)),
  );
  targetOptions(
    user
      .command('list')
      .description('List credentials (never passwords): scope, prefix, created, expiry, last used.')
      .addOption(formatOption()),
  ).action(async (o) => setExit(await userListCommand({ ...target(o), format: o.format }, io, readStdin)));
};
