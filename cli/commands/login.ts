import type { BasicCredentials } from '../../client/auth.ts';
import { type Register, registryFlags, registryOptions } from '../command-kit.ts';
import { removeCredentials, saveCredentials } from '../credentials.ts';
import { eraseDockerCredentials, storeDockerCredentials } from '../docker-config.ts';
import { EXIT, type Io, UsageError } from '../io.ts';
import type { Prompter } from '../prompt.ts';
import {
  createClient,
  explainError,
  parseRef,
  type RegistryFlags,
  type ResolvedCredentials,
  resolveCredentials,
} from '../registry-access.ts';

export interface LoginFlags extends Omit<RegistryFlags, 'registry'> {
  /** Spectro's `--password`: accepted, with a warning (arguments are visible to other users). */
  password?: string;
  /** Make REF the registry commands use when none is given (Spectro's `--default`). */
  default?: boolean;
  /** Also save the credentials where docker, oras, skopeo and helm read them. */
  dockerConfig?: boolean;
}

/**
 * `packyard login REF`: checks the credentials against the registry (GET /v2/), then saves them
 * for REF's host in Packyard's credential file (0600) and, with --docker-config, in Docker's
 * configuration (through its credential helper when one is set). The password comes from stdin,
 * the environment, a hidden prompt on a terminal, or (discouraged) --password.
 */
export async function loginCommand(
  registry: string,
  flags: LoginFlags,
  io: Io,
  readStdin: () => Promise<string>,
  prompter?: Prompter,
): Promise<number> {
  const ref = parseRef(registry, flags.insecure);
  const creds = await loginCredentials(ref, flags, io, readStdin, prompter);
  const client = createClient(ref, creds.credentials, io.env);
  try {
    await client.ping();
  } catch (err) {
    throw explainError(err, ref, creds);
  }
  const { username, password } = creds.credentials as BasicCredentials;
  const reference = `${ref.host}${ref.basePath ? `/${ref.basePath}` : ''}`;
  const file = await saveCredentials(
    io.env,
    ref.host,
    { username, password },
    flags.default ? reference : undefined,
  );
  if (client.authScheme === 'none') {
    io.err(`warning: ${ref.host} did not ask for credentials, so they could not be checked\n`);
  }
  io.err(`logged in to ${ref.host} as ${username}; credentials saved in ${file} (readable only by you)\n`);
  if (flags.default)
    io.err(`${reference} is now the default registry (when no --registry or PACKYARD_REGISTRY is given)\n`);
  if (flags.dockerConfig) {
    const where = await storeDockerCredentials(io.env, ref.host, { username, password });
    io.err(`also saved for docker, oras, skopeo and helm in ${where}\n`);
  }
  return EXIT.ok;
}

async function loginCredentials(
  ref: ReturnType<typeof parseRef>,
  flags: LoginFlags,
  io: Io,
  readStdin: () => Promise<string>,
  prompter: Prompter | undefined,
): Promise<ResolvedCredentials> {
  const env = io.env;
  if (flags.password !== undefined) {
    if (flags.passwordStdin) throw new UsageError('pass --password or --password-stdin, not both');
    const username = flags.username ?? env.PACKYARD_USERNAME;
    if (!username) throw new UsageError('--password needs --username (or PACKYARD_USERNAME)');
    if (!flags.password) throw new UsageError('--password is empty');
    io.err(
      'warning: a password given as an argument is visible to other users (ps) and kept in shell history; prefer --password-stdin\n',
    );
    return {
      credentials: { username, password: flags.password },
      source: 'flags',
      described: `user ${username} (--password)`,
    };
  }
  if (
    flags.passwordStdin ||
    (flags.username && env.PACKYARD_PASSWORD) ||
    (env.PACKYARD_USERNAME && env.PACKYARD_PASSWORD)
  ) {
    return resolveCredentials(ref, flags, io, readStdin);
  }
  if (prompter) {
    const username = flags.username ?? (await prompter.ask('Username', env.PACKYARD_USERNAME));
    if (!username) throw new UsageError('no user name given');
    const password = await prompter.secret(`Password for ${username}@${ref.host}`);
    if (!password) throw new UsageError('no password given');
    return { credentials: { username, password }, source: 'flags', described: `user ${username} (typed in)` };
  }
  throw new UsageError(
    'packyard login needs --username with --password-stdin, PACKYARD_USERNAME and PACKYARD_PASSWORD, or a terminal to ask on',
  );
}

export async function logoutCommand(
  registry: string,
  flags: { insecure?: boolean; dockerConfig?: boolean },
  io: Io,
): Promise<number> {
  const ref = parseRef(registry, flags.insecure);
  const removed = await removeCredentials(io.env, ref.host);
  io.err(
    removed ? `removed the saved credentials for ${ref.host}\n` : `no saved credentials for ${ref.host}\n`,
  );
  if (flags.dockerConfig) {
    const erased = await eraseDockerCredentials(io.env, ref.host);
    io.err(
      erased
        ? `removed ${ref.host} from the docker configuration\n`
        : `the docker configuration has no credentials for ${ref.host}\n`,
    );
  }
  return EXIT.ok;
}

export const registerLogin: Register = (parent, { io, setExit, readStdin }) => {
  registryOptions(
    parent
      .command('login')
      .description(
        'Check credentials and save them for the registry host (mode 0600); asks for the password on a terminal.',
      )
      .argument('<registry>', 'host[:port][/base/path]')
      .option('-p, --password <password>', 'the password (visible to other users: prefer --password-stdin)')
      .option('-d, --default', 'use this registry when a command gets no --registry (nor PACKYARD_REGISTRY)')
      .option(
        '--docker-config',
        'also save them in the docker configuration ($DOCKER_CONFIG/config.json, or its credential helper) for docker, oras, skopeo, helm',
      ),
    false,
  ).action(async (registry: string, o) => {
    const { canPrompt, terminalPrompter } = await import('../prompt.ts');
    const prompter = canPrompt() && !o.passwordStdin ? terminalPrompter() : undefined;
    try {
      setExit(
        await loginCommand(
          registry,
          { ...registryFlags(o), password: o.password, default: o.default, dockerConfig: o.dockerConfig },
          io,
          readStdin,
          prompter,
        ),
      );
    } finally {
      prompter?.close();
    }
  });
};

export const registerLogout: Register = (parent, { io, setExit }) => {
  parent
    .command('logout')
    .description('Remove the credentials saved for the registry host.')
    .argument('<registry>', 'host[:port][/base/path]')
    .option('--insecure', 'accept an http:// reference to a host other than localhost')
    .option('--docker-config', 'also remove them from the docker configuration (or its credential helper)')
    .action(async (registry: string, o) =>
      setExit(await logoutCommand(registry, { insecure: o.insecure, dockerConfig: o.dockerConfig }, io)),
    );
};
