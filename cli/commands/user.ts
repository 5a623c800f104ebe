import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Option } from 'commander';
import type { AdminIndex } from '../../lambdas/admin-index.ts';
import { OIDC_USERNAME } from '../../lambdas/registry/auth/authenticate.ts';
import type { Scope } from '../../lambdas/registry/ports.ts';
import { formatOption, type Register, storeOptions } from '../command-kit.ts';
import { EXIT, type Io, UsageError } from '../io.ts';

export interface StoreOptions {
  data: string;
  table?: string;
  region?: string;
}

/** Opens the credential store: a deployed DynamoDB table (--table), or a local data folder. */
export async function withIndex<T>(opts: StoreOptions, fn: (index: AdminIndex) => Promise<T>): Promise<T> {
  // The AWS SDK and the embedded storage: loaded only by the commands that open a store.
  const { IndexInUseError, withAdminIndex } = await import('../../lambdas/admin-index.ts');
  try {
    return await withAdminIndex(
      { table: opts.table, region: opts.region, dataDir: path.resolve(opts.data) },
      fn,
    );
  } catch (err) {
    if (err instanceof IndexInUseError) {
      throw new Error(
        `${opts.data} is in use by a running "packyard serve"; stop it first (or manage a deployed registry with --table)`,
      );
    }
    throw err;
  }
}

export async function userAddCommand(
  username: string,
  opts: StoreOptions & { scope: Scope; prefix: string; passwordStdin: boolean },
  io: Io,
  readStdin: () => Promise<string>,
): Promise<number> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/.test(username)) {
    throw new UsageError(`user name "${username}" must be 1–128 letters, digits, ".", "_", "@" or "-"`);
  }
  if (username === OIDC_USERNAME)
    throw new UsageError(
      `"${OIDC_USERNAME}" is reserved: it is the user name of trusted-publishing tokens (see "packyard publisher")`,
    );
  if (opts.prefix && !/^[a-z0-9][a-z0-9._/-]*$/.test(opts.prefix))
    throw new UsageError(`--prefix "${opts.prefix}" is not a repository prefix`);
  const prefix = opts.prefix && !opts.prefix.endsWith('/') ? `${opts.prefix}/` : opts.prefix;
  const password = opts.passwordStdin
    ? (await readStdin()).replace(/\r?\n$/, '')
    : randomBytes(18).toString('base64url');
  if (password.length < 12) throw new UsageError('passwords must be at least 12 characters');
  const { ensureUser } = await import('../../lambdas/admin-index.ts');
  await withIndex(opts, (index) => ensureUser(index, { username, password, scope: opts.scope, prefix }));
  io.err(`saved credential "${username}" (${opts.scope}${prefix ? `, ${prefix}*` : ', all repositories'})\n`);
  if (!opts.passwordStdin) io.out(`${password}\n`);
  return EXIT.ok;
}

export async function userRemoveCommand(username: string, opts: StoreOptions, io: Io): Promise<number> {
  const removed = await withIndex(opts, (index) => index.deleteCredential(username));
  if (!removed) {
    io.err(`no credential "${username}"\n`);
    return EXIT.failed;
  }
  io.err(`removed credential "${username}"\n`);
  return EXIT.ok;
}

export async function userListCommand(
  opts: StoreOptions & { format: 'text' | 'json' },
  io: Io,
): Promise<number> {
  const creds = await withIndex(opts, (index) => index.listCredentials());
  const rows = creds.map((c) => ({
    username: c.username,
    scope: c.scope,
    prefix: c.prefix,
    createdAt: c.createdAt,
  }));
  if (opts.format === 'json') io.out(`${JSON.stringify(rows, null, 2)}\n`);
  else for (const r of rows) io.out(`${r.username}\t${r.scope}\t${r.prefix || '*'}\t${r.createdAt}\n`);
  return EXIT.ok;
}

export const register: Register = (program, ctx) => {
  const user = program
    .command('user')
    .description(
      'Manage registry credentials (hashed in the index) in a local data folder or a deployed table.',
    );
  const { io, setExit } = ctx;
  storeOptions(
    user
      .command('add')
      .description('Create or replace a credential; prints a generated password unless --password-stdin.')
      .argument('<name>', 'user name')
      .addOption(
        new Option('--scope <scope>', 'what it may do').choices(['read', 'write', 'admin']).default('read'),
      )
      .option('--prefix <prefix>', 'repository prefix it is limited to, e.g. team-a/ (default: all)', '')
      .option('--password-stdin', 'read the password from standard input', false),
  ).action(async (name: string, o) =>
    setExit(
      await userAddCommand(
        name,
        { ...store(o), scope: o.scope, prefix: o.prefix, passwordStdin: o.passwordStdin },
        io,
        ctx.readStdin,
      ),
    ),
  );
  storeOptions(
    user.command('remove').description('Delete a credential.').argument('<name>', 'user name'),
  ).action(async (name: string, o) => setExit(await userRemoveCommand(name, store(o), io)));
  storeOptions(
    user.command('list').description('List credentials (never passwords).').addOption(formatOption()),
  ).action(async (o) => setExit(await userListCommand({ ...store(o), format: o.format }, io)));
};

/** --data, --table, --region as StoreOptions. */
export function store(o: Record<string, unknown>): StoreOptions {
  return {
    data: o.data as string,
    table: o.table as string | undefined,
    region: o.region as string | undefined,
  };
}
