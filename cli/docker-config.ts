import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BasicCredentials } from '../client/auth.ts';

/**
 * Docker's client configuration (`$DOCKER_CONFIG/config.json`, default `~/.docker/config.json`),
 * which docker, oras, skopeo, helm and crane all read: `auths` entries (base64 `user:password`),
 * and credential helpers (`credsStore` for every registry, `credHelpers` per registry) run as
 * `docker-credential-<name> get|store|erase` with the docker-credential-helpers protocol.
 */
export interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [key: string]: unknown;
}

export function dockerConfigPath(env: NodeJS.ProcessEnv): string {
  const dir = env.DOCKER_CONFIG ? path.resolve(env.DOCKER_CONFIG) : path.join(os.homedir(), '.docker');
  return path.join(dir, 'config.json');
}

export async function readDockerConfig(env: NodeJS.ProcessEnv): Promise<DockerConfig> {
  let text: string;
  try {
    text = await fs.readFile(dockerConfigPath(env), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`cannot read ${dockerConfigPath(env)}: ${(err as Error).message}`);
  }
  try {
    const doc = JSON.parse(text) as unknown;
    return doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as DockerConfig) : {};
  } catch {
    throw new Error(`${dockerConfigPath(env)} is not JSON; fix it (docker login rewrites it)`);
  }
}

/** host[:port] of a key in `auths`/`credHelpers`: "host", "https://host/v1/", "http://host:5000". */
function keyHost(key: string): string {
  const bare = key.replace(/^[a-z]+:\/\//i, '');
  return bare.split('/')[0]?.toLowerCase() ?? '';
}

function entryFor<T>(map: Record<string, T> | undefined, host: string): [string, T] | undefined {
  if (!map) return undefined;
  const exact = map[host];
  if (exact !== undefined) return [host, exact];
  const found = Object.entries(map).find(([k]) => keyHost(k) === host.toLowerCase());
  return found;
}

/** Which helper serves `host`: its credHelpers entry, else credsStore. */
function helperFor(config: DockerConfig, host: string): string | undefined {
  return entryFor(config.credHelpers, host)?.[1] ?? config.credsStore ?? undefined;
}

export interface DockerCredentials {
  credentials: BasicCredentials;
  /** e.g. `docker-credential-pass` or `~/.docker/config.json auths`. */
  from: string;
}

/** The credentials docker would use for `host`, or undefined. A helper's "not found" is undefined. */
export async function dockerCredentials(
  env: NodeJS.ProcessEnv,
  host: string,
): Promise<DockerCredentials | undefined> {
  const config = await readDockerConfig(env);
  const helper = helperFor(config, host);
  if (helper) {
    const got = await runHelper(helper, 'get', host, env).catch((err: Error) => {
      // The protocol's answer for an unknown server; anything else is worth saying.
      if (/credentials not found/i.test(err.message)) return undefined;
      throw err;
    });
    if (got) {
      const { Username, Secret } = JSON.parse(got) as { Username?: string; Secret?: string };
      if (Username && Secret && Username !== '<token>')
        return { credentials: { username: Username, password: Secret }, from: `docker-credential-${helper}` };
    }
  }
  const entry = entryFor(config.auths, host)?.[1];
  if (entry?.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0)
      return {
        credentials: { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) },
        from: `${dockerConfigPath(env)} auths`,
      };
  }
  if (entry?.username && entry.password)
    return {
      credentials: { username: entry.username, password: entry.password },
      from: `${dockerConfigPath(env)} auths`,
    };
  return undefined;
}

/** Saves credentials the way `docker login` does: through the helper if one is set, else `auths`. */
export async function storeDockerCredentials(
  env: NodeJS.ProcessEnv,
  host: string,
  creds: BasicCredentials,
): Promise<string> {
  const config = await readDockerConfig(env);
  const helper = helperFor(config, host);
  if (helper) {
    await runHelper(
      helper,
      'store',
      JSON.stringify({ ServerURL: host, Username: creds.username, Secret: creds.password }),
      env,
    );
    return `docker-credential-${helper}`;
  }
  config.auths = {
    ...config.auths,
    [host]: { auth: Buffer.from(`${creds.username}:${creds.password}`).toString('base64') },
  };
  return writeDockerConfig(env, config);
}

/** Removes them (helper erase, or the `auths` entry); false when docker had none. */
export async function eraseDockerCredentials(env: NodeJS.ProcessEnv, host: string): Promise<boolean> {
  const config = await readDockerConfig(env);
  const helper = helperFor(config, host);
  if (helper) {
    try {
      await runHelper(helper, 'erase', host, env);
      return true;
    } catch (err) {
      if (/credentials not found/i.test((err as Error).message)) return false;
      throw err;
    }
  }
  const entry = entryFor(config.auths, host);
  if (!entry || !config.auths) return false;
  delete config.auths[entry[0]];
  await writeDockerConfig(env, config);
  return true;
}

async function writeDockerConfig(env: NodeJS.ProcessEnv, config: DockerConfig): Promise<string> {
  const target = dockerConfigPath(env);
  await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
  const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(config, null, '\t')}\n`);
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, target);
  return target;
}

/** Runs `docker-credential-<helper> <verb>` with `input` on stdin; its stdout, or its stdout/stderr as the error. */
function runHelper(
  helper: string,
  verb: 'get' | 'store' | 'erase',
  input: string,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  if (!/^[A-Za-z0-9._-]+$/.test(helper))
    return Promise.reject(new Error(`credential helper name "${helper}" is not valid`));
  const bin = `docker-credential-${helper}`;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [verb], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', (e) =>
      reject(
        new Error(
          `${bin} could not be run (${(e as NodeJS.ErrnoException).code ?? e.message}); install it or fix credsStore/credHelpers in the docker config`,
        ),
      ),
    );
    child.on('close', (code) => {
      if (code === 0) resolve(out.trim());
      else reject(new Error(`${bin} ${verb} failed: ${(out.trim() || err.trim()).slice(0, 300)}`));
    });
    child.stdin.end(input);
  });
}
