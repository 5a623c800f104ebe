// Debian's docker-registry (the reference distribution registry) as the benchmark's baseline.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expectStatus, pushManifest, sha256 } from './artifact.mjs';
import {
  APP,
  BCRYPT_COST,
  DISTRIBUTION,
  freePort,
  MANIFEST_TYPE,
  PASSWORD,
  packRepo,
  SEED_BUDGET_MS,
  sleep,
  track,
  USER,
} from './common.mjs';

export function ensureDistribution() {
  if (existsSync(DISTRIBUTION)) return undefined;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get'))
    return `${DISTRIBUTION} is missing (install the docker-registry package)`;
  console.error('installing docker-registry (apt-get)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env, timeout: 300_000 });
  spawnSync('apt-get', ['install', '-y', '-qq', 'docker-registry'], {
    stdio: 'inherit',
    env,
    timeout: 300_000,
  });
  return existsSync(DISTRIBUTION) ? undefined : 'apt-get install docker-registry failed';
}

/** A bcrypt htpasswd line via crypt(3) (libxcrypt supports $2y$), as `htpasswd -B` would write it. */
export function htpasswdLine() {
  const alphabet = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const salt = Array.from(randomBytes(22), (b) => alphabet[b & 63]).join('');
  // Password and salt through the environment: a password starting with "-" would be a perl switch.
  const res = spawnSync('perl', ['-e', 'print crypt($ENV{BENCH_PW}, $ENV{BENCH_SALT})'], {
    encoding: 'utf8',
    env: { ...process.env, BENCH_PW: PASSWORD, BENCH_SALT: `$2y$0${BCRYPT_COST}$${salt}` },
  });
  const hash = res.stdout?.trim() ?? '';
  return hash.startsWith('$2y$') && hash.length === 60 ? `${USER}:${hash}\n` : undefined;
}

export async function startDistribution(dir, storage, htpasswd) {
  const port = await freePort();
  const config = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storage}`,
    '  cache:',
    '    blobdescriptor: inmemory', // as in Debian's /etc/docker/registry/config.yml
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
    ...(htpasswd ? ['auth:', '  htpasswd:', '    realm: bench', `    path: ${htpasswd}`] : []),
  ].join('\n');
  const file = path.join(dir, `config-${port}.yml`);
  writeFileSync(file, `${config}\n`);
  let stderr = '';
  const child = track(spawn(DISTRIBUTION, ['serve', file], { stdio: ['ignore', 'ignore', 'pipe'] }));
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${url}/v2/`);
      await res.arrayBuffer();
      if (res.status === 200 || res.status === 401) return { child, url, storage };
    } catch {}
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`docker-registry did not start: ${stderr}`);
}

/**
 * One repository per pack name in the distribution registry. The first is pushed over HTTP (blob
 * mounts from APP, manifest PUT as tag 1.0.0); the others get a copy of the on-disk repository
 * folder that push produced (link files naming shared blobs: exactly what the same push to another
 * name writes), which takes seconds instead of minutes. One copy is read back over HTTP.
 */
export async function seedDistribution(base, storage, art, count) {
  const started = Date.now();
  const repos = path.join(storage, 'docker', 'registry', 'v2', 'repositories');
  const template = path.join(repos, packRepo(0));
  for (const blob of art.blobs) {
    await expectStatus(
      await fetch(`${base}/v2/${packRepo(0)}/blobs/uploads/?mount=${sha256(blob)}&from=${APP}`, {
        method: 'POST',
      }),
      201,
      `mount into ${packRepo(0)}`,
    );
  }
  await pushManifest(base, packRepo(0), '1.0.0', art, {});
  if (!existsSync(path.join(template, '_manifests')))
    throw new Error(`unexpected docker-registry layout: no ${template}/_manifests`);
  // The template's folders and files, read once, then written under each new name.
  const entries = readdirSync(template, { recursive: true, withFileTypes: true });
  const rel = (e) => path.relative(template, path.join(e.parentPath ?? e.path, e.name));
  const dirs = entries.filter((e) => e.isDirectory()).map(rel);
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => [rel(e), readFileSync(path.join(template, rel(e)))]);
  let next = 1;
  for (; next < count && Date.now() < started + SEED_BUDGET_MS; next++) {
    const dest = path.join(repos, packRepo(next));
    for (const d of dirs) mkdirSync(path.join(dest, d), { recursive: true });
    for (const [f, bytes] of files) writeFileSync(path.join(dest, f), bytes);
  }
  const res = await fetch(`${base}/v2/${packRepo(next - 1)}/manifests/1.0.0`, {
    headers: { accept: MANIFEST_TYPE },
  });
  const back = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200 || !back.equals(art.manifest))
    throw new Error(`docker-registry: ${packRepo(next - 1)} did not read back (${res.status})`);
  return { count: next, ms: Date.now() - started };
}
