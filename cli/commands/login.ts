import { type Register, registryFlags, registryOptions } from '../command-kit.ts';
import { removeCredentials, saveCredentials } from '../credentials.ts';
import { EXIT, type Io, UsageError } from '../io.ts';
import {
  createClient,
  explainError,
  parseRef,
  type RegistryFlags,
  resolveCredentials,
} from '../registry-access.ts';

/**
 * `packyard login REF`: checks the credentials against the registry (GET /v2/), then saves them
 * for REF's host in the credential file (0600). Passwords only come from stdin or the environment.
 */
export async function loginCommand(
  registry: string,
  flags: Omit<RegistryFlags, 'registry'>,
  io: Io,
  readStdin: () => Promise<string>,
): Promise<number> {
  const ref = parseRef(registry, flags.insecure);
  if (!flags.passwordStdin && !flags.username && !(io.env.PACKYARD_USERNAME && io.env.PACKYARD_PASSWORD)) {
    throw new UsageError(
      'packyard login needs --username with --password-stdin, or PACKYARD_USERNAME and PACKYARD_PASSWORD',
    );
  }
  const creds = await resolveCredentials(ref, flags, io, readStdin);
  const client = createClient(ref, creds.credentials, io.env);
  try {
    await client.ping();
  } catch (err) {
    throw explainError(err, ref, creds);
  }
  const { username, password } = creds.credentials as { username: string; password: string };
  const file = await saveCredentials(io.env, ref.host, { username, password });
  if (client.authScheme === 'none') {
    io.err(`warning: ${ref.host} did not ask for credentials, so they could not be checked\n`);
  }
  io.err(`logged in to ${ref.host} as ${username}; credentials saved in ${file} (readable only by you)\n`);
  return EXIT.ok;
}

export async function logoutCommand(
  registry: string,
  flags: { insecure?: boolean },
  io: Io,
): Promise<number> {
  const ref = parseRef(registry, flags.insecure);
  const removed = await removeCredentials(io.env, ref.host);
  io.err(
    removed ? `removed the saved credentials for ${ref.host}\n` : `no saved credentials for ${ref.host}\n`,
  );
  return EXIT.ok;
}

export const registerLogin: Register = (parent, { io, setExit, readStdin }) => {
  registryOptions(
    parent
      .command('login')
      .description('Check credentials and save them for the registry host (mode 0600).')
      .argument('<registry>', 'host[:port][/base/path]'),
    false,
  ).action(async (registry: string, o) =>
    setExit(await loginCommand(registry, registryFlags(o), io, readStdin)),
  );
};

export const registerLogout: Register = (parent, { io, setExit }) => {
  parent
    .command('logout')
    .description('Remove the credentials saved for the registry host.')
    .argument('<registry>', 'host[:port][/base/path]')
    .option('--insecure', 'accept an http:// reference to a host other than localhost', false)
    .action(async (registry: string, o) =>
      setExit(await logoutCommand(registry, { insecure: o.insecure }, io)),
    );
};
