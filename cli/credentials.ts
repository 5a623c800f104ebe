import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BasicCredentials } from '../client/auth.ts';

/**
 * The `packyard login` credential file: `{"auths": {"<host[:port]>": {username, password}}}`,
 * mode 0600 in a 0700 folder. `PACKYARD_CONFIG_DIR` overrides the folder, else
 * `${XDG_CONFIG_HOME:-~/.config}/packyard`.
 */
export interface CredentialFile {
  auths: Record<string, BasicCredentials>;
  /** The registry commands use when none is given (`login --default`, as Spectro's CLI has it). */
  default?: string;
}

export function configDir(env: NodeJS.ProcessEnv): string {
  if (env.PACKYARD_CONFIG_DIR) return path.resolve(env.PACKYARD_CONFIG_DIR);
  const xdg = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : undefined;
  return path.join(xdg ?? path.join(os.homedir(), '.config'), 'packyard');
}

export function credentialsPath(env: NodeJS.ProcessEnv): string {
  return path.join(configDir(env), 'credentials.json');
}

export interface LoadedCredentials {
  file: CredentialFile;
  /** Set when the file is readable by other users (the caller warns). */
  tooOpen?: boolean;
}

export async function readCredentialFile(env: NodeJS.ProcessEnv): Promise<LoadedCredentials> {
  const file = credentialsPath(env);
  let text: string;
  let mode: number;
  try {
    const handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      mode = (await handle.stat()).mode;
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { file: { auths: Object.create(null) } };
    throw new Error(`cannot read the credential file ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(
      `the credential file ${file} is not JSON; fix or delete it (then "packyard login" again)`,
    );
  }
  const auths = (parsed as { auths?: unknown }).auths;
  // No prototype: a host named "__proto__" must be a key, not replace the prototype of every lookup.
  const clean: Record<string, BasicCredentials> = Object.create(null);
  if (auths && typeof auths === 'object') {
    for (const [host, c] of Object.entries(auths as Record<string, unknown>)) {
      const { username, password } = (c ?? {}) as Partial<BasicCredentials>;
      if (typeof username === 'string' && typeof password === 'string') clean[host] = { username, password };
    }
  }
  const dflt = (parsed as { default?: unknown }).default;
  const loaded: CredentialFile = {
    auths: clean,
    ...(typeof dflt === 'string' && dflt ? { default: dflt } : {}),
  };
  return { file: loaded, tooOpen: process.platform !== 'win32' && (mode & 0o077) !== 0 };
}

/** Replaces the file atomically: a 0600 temporary file beside it, then rename. */
export async function writeCredentialFile(env: NodeJS.ProcessEnv, file: CredentialFile): Promise<string> {
  const dir = configDir(env);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const target = path.join(dir, 'credentials.json');
  const tmp = path.join(dir, `.credentials.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await handle.chmod(0o600); // whatever the umask
    await handle.writeFile(`${JSON.stringify(file, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, target);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  return target;
}

export async function saveCredentials(
  env: NodeJS.ProcessEnv,
  host: string,
  creds: BasicCredentials,
  /** Also make this registry reference the default one. */
  asDefault?: string,
): Promise<string> {
  const { file } = await readCredentialFile(env);
  file.auths[host] = { username: creds.username, password: creds.password };
  if (asDefault) file.default = asDefault;
  return writeCredentialFile(env, file);
}

/** Removes the host's entry; false when there was none. */
export async function removeCredentials(env: NodeJS.ProcessEnv, host: string): Promise<boolean> {
  const { file } = await readCredentialFile(env);
  if (!Object.hasOwn(file.auths, host)) return false;
  delete file.auths[host];
  if (file.default && file.default.replace(/^[a-z]+:\/\//i, '').split('/')[0] === host) delete file.default;
  await writeCredentialFile(env, file);
  return true;
}

/** A look-up of the saved credentials by registry host (what `packyard login` stored), read once. */
export async function savedCredentials(
  env: NodeJS.ProcessEnv,
): Promise<(host: string) => BasicCredentials | undefined> {
  const { file } = await readCredentialFile(env);
  return (host) => (Object.hasOwn(file.auths, host) ? file.auths[host] : undefined);
}
