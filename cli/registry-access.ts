import { AuthError, type BasicCredentials } from '../client/auth.ts';
import { DEFAULT_RETRY, NetworkError, type RetryOptions } from '../client/http.ts';
import { parseRegistryRef, type RegistryRef, RegistryRefError } from '../client/reference.ts';
import { RegistryClient, RegistryError } from '../client/registry-client.ts';
import pkg from '../package.json' with { type: 'json' };
import { credentialsPath, readCredentialFile } from './credentials.ts';
import { dockerCredentials } from './docker-config.ts';
import { type Io, UsageError } from './io.ts';
import { denial, fetchIdentity, type Identity, type Intent } from './registry-identity.ts';

/** The flags every registry command shares. */
export interface RegistryFlags {
  registry?: string;
  insecure?: boolean;
  username?: string;
  passwordStdin?: boolean;
}

export type CredentialSource = 'flags' | 'env' | 'file' | 'docker' | 'none';

export interface ResolvedCredentials {
  credentials?: BasicCredentials;
  source: CredentialSource;
  /** Where they came from, for error messages (never the password). */
  described: string;
}

export function parseRef(input: string | undefined, insecure: boolean | undefined): RegistryRef {
  if (!input)
    throw new UsageError(
      'no registry: pass --registry host[:port][/base/path], set PACKYARD_REGISTRY, or make one the default with "packyard login --default HOST"',
    );
  try {
    return parseRegistryRef(input, { insecure });
  } catch (err) {
    if (err instanceof RegistryRefError) throw new UsageError(err.message);
    throw err;
  }
}

/**
 * Credentials, first found wins: `--username` with `--password-stdin` (or PACKYARD_PASSWORD),
 * then PACKYARD_USERNAME + PACKYARD_PASSWORD, then the `packyard login` file entry for the host.
 */
export async function resolveCredentials(
  ref: RegistryRef,
  flags: RegistryFlags,
  io: Io,
  readStdin: () => Promise<string>,
): Promise<ResolvedCredentials> {
  const env = io.env;
  if (flags.passwordStdin) {
    const username = flags.username ?? env.PACKYARD_USERNAME;
    if (!username) throw new UsageError('--password-stdin needs --username (or PACKYARD_USERNAME)');
    const password = (await readStdin()).replace(/\r?\n$/, '');
    if (!password) throw new UsageError('--password-stdin read an empty password');
    return {
      credentials: { username, password },
      source: 'flags',
      described: `user ${username} (--password-stdin)`,
    };
  }
  if (flags.username) {
    if (!env.PACKYARD_PASSWORD) {
      throw new UsageError(
        `--username ${flags.username} needs --password-stdin (or PACKYARD_PASSWORD); passwords are never taken as arguments`,
      );
    }
    return {
      credentials: { username: flags.username, password: env.PACKYARD_PASSWORD },
      source: 'flags',
      described: `user ${flags.username} (--username, PACKYARD_PASSWORD)`,
    };
  }
  if (env.PACKYARD_USERNAME && env.PACKYARD_PASSWORD) {
    return {
      credentials: { username: env.PACKYARD_USERNAME, password: env.PACKYARD_PASSWORD },
      source: 'env',
      described: `user ${env.PACKYARD_USERNAME} (PACKYARD_USERNAME, PACKYARD_PASSWORD)`,
    };
  }
  const { file, tooOpen } = await readCredentialFile(env);
  const saved = Object.hasOwn(file.auths, ref.host) ? file.auths[ref.host] : undefined;
  if (saved) {
    if (tooOpen) io.err(`warning: ${credentialsPath(env)} is readable by other users; run chmod 600 on it\n`);
    return {
      credentials: saved,
      source: 'file',
      described: `user ${saved.username} (saved by "packyard login" in ${credentialsPath(env)})`,
    };
  }
  const docker = await dockerCredentials(env, ref.host);
  if (docker) {
    return {
      credentials: docker.credentials,
      source: 'docker',
      described: `user ${docker.credentials.username} (from ${docker.from})`,
    };
  }
  return { source: 'none', described: 'no credentials' };
}

/** Retries from PACKYARD_RETRIES (a count; 0 disables them), else the client's defaults. */
export function retryOptions(env: NodeJS.ProcessEnv): RetryOptions {
  const raw = env.PACKYARD_RETRIES;
  if (raw === undefined || raw === '') return DEFAULT_RETRY;
  if (!/^\d{1,2}$/.test(raw))
    throw new UsageError(`PACKYARD_RETRIES must be a whole number from 0 to 99 (got "${raw}")`);
  return { ...DEFAULT_RETRY, retries: Number(raw) };
}

export interface RegistryAccess {
  ref: RegistryRef;
  client: RegistryClient;
  creds: ResolvedCredentials;
  /** Checks the registry answers and accepts the credentials; throws a readable error if not. */
  check(): Promise<void>;
  /** Rewrites an error from the client into one a user can act on. */
  explain(err: unknown): Error;
  /**
   * On a Packyard registry (after check()): why these credentials cannot do `intent` on
   * `repository` and what to do, or undefined. Commands ask before acting, so every refusal reads alike.
   */
  denied(intent: Intent, repository: string): string | undefined;
}

/** The registry client every command uses: retries from the environment, Packyard's user agent. */
export function createClient(
  ref: RegistryRef,
  credentials: BasicCredentials | undefined,
  env: NodeJS.ProcessEnv,
): RegistryClient {
  return new RegistryClient({
    registry: ref,
    credentials,
    retry: retryOptions(env),
    userAgent: `packyard/${pkg.version}`,
  });
}

export async function openRegistry(
  flags: RegistryFlags,
  io: Io,
  readStdin: () => Promise<string>,
): Promise<RegistryAccess> {
  const ref = parseRef(flags.registry || (await readCredentialFile(io.env)).file.default, flags.insecure);
  const creds = await resolveCredentials(ref, flags, io, readStdin);
  const client = createClient(ref, creds.credentials, io.env);
  let verified = false;
  let identity: Identity | undefined;
  const explain = (err: unknown) => explainError(err, ref, creds, verified);
  return {
    ref,
    client,
    creds,
    explain,
    denied: (intent, repository) => denial(identity, ref, intent, repository),
    async check() {
      try {
        // Packyard says what the credentials may do, for refusals that say what to do instead.
        const who = creds.credentials ? fetchIdentity(client) : Promise.resolve(undefined);
        await client.ping();
        verified = creds.source !== 'none';
        identity = await who;
      } catch (err) {
        throw explain(err);
      }
    },
  };
}

const HOW_TO_LOGIN =
  'run "packyard login", set PACKYARD_USERNAME and PACKYARD_PASSWORD, or pass --username with --password-stdin';

/** `verified`: the credentials already passed a check, so a later 401 means a missing permission. */
export function explainError(
  err: unknown,
  ref: RegistryRef,
  creds: ResolvedCredentials,
  verified = false,
): Error {
  if (err instanceof NetworkError) return err;
  if (err instanceof RegistryError && (err.status === 403 || (err.status === 401 && verified))) {
    return new Error(
      `${err.message} — ${creds.described} lacks the permission (on Packyard, a credential's scope and prefix decide)`,
    );
  }
  if (err instanceof AuthError || (err instanceof RegistryError && err.status === 401)) {
    if (creds.source === 'none') return new Error(`${ref.host} requires credentials: ${HOW_TO_LOGIN}`);
    return new Error(
      `${ref.host} refused the credentials of ${creds.described}: check the user name and password`,
    );
  }
  return err instanceof Error ? err : new Error(String(err));
}
