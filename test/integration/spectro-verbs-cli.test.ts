/**
 * The Spectro CLI's verbs in Packyard, as users run them (the real CLI bundle as a subprocess)
 * against `packyard serve`'s stack: push --message/--force, ls --name, pull by digest and into
 * ./<name>-<version>, tag add/delete for moving tags, refusals that say what to do, login with a
 * hidden prompt (on a pty), Docker's config.json and a credential helper (a fake
 * docker-credential-* script on PATH speaking the documented docker-credential-helpers protocol:
 * a contract stand-in), and Spectro's tutorial command sequence run as written.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, it } from 'vitest';
import { publishPack } from '../../client/publish.ts';
import { parseRegistryRef } from '../../client/reference.ts';
import { RegistryClient } from '../../client/registry-client.ts';
import type { LocalRegistry } from '../../lambdas/local/serve.ts';
import { CLI, makePack, ROOT, runCli, tempDir } from '../helpers/packs.ts';
import { cliEnv, namedPack } from '../helpers/publish.ts';
import { ADMIN, buildTestPack, READER, startTestRegistry, TEAM_A, WRITER } from '../helpers/registry.ts';
import { serve } from '../helpers/serve.ts';

let reg: LocalRegistry;
let ref: string;
/** A registry whose policy allows overwriting versions (serve --allow-overwrite). */
let loose: LocalRegistry;
let looseRef: string;

type User = { username: string; password: string };

function env(user: User | null = WRITER, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return cliEnv(user, { DOCKER_CONFIG: tempDir('docker-config-'), ...extra });
}

function client(registry = ref, user: User = ADMIN): RegistryClient {
  return new RegistryClient({ registry: parseRegistryRef(registry), credentials: user });
}

async function cliJson<T>(args: string[], e = env()): Promise<{ code: number; stderr: string; data: T }> {
  const r = await runCli([...args, '--format', 'json'], { env: e });
  let data = undefined as T;
  try {
    data = JSON.parse(r.stdout) as T;
  } catch {
    // the caller asserts code and stderr
  }
  return { code: r.code, stderr: r.stderr, data };
}

async function api<T>(registry: LocalRegistry, p: string): Promise<T> {
  const res = await fetch(`${registry.url}${p}`, {
    headers: {
      authorization: `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}`,
    },
  });
  return (await res.json()) as T;
}

type Row = { name: string; status: string; digest: string; message?: string };

describe('Spectro CLI verbs', () => {
  beforeAll(async () => {
    [reg, loose] = await Promise.all([
      startTestRegistry(),
      startTestRegistry({ config: { allowOverwrite: true } }),
    ]);
    ref = reg.url.replace(/^http:\/\//, '');
    looseRef = loose.url.replace(/^http:\/\//, '');
  });

  it('push --message is recorded on the version: ls, the JSON API and the manifest show it', async ({
    expect,
  }) => {
    const dir = makePack(namedPack('nu', '1.0.0'));
    const push = await cliJson<Row[]>(['push', dir, '-r', ref, '-m', 'first release of nu']);
    expect(push.code).toBe(0);
    expect(push.data[0]?.status).toBe('published');
    const ls = await runCli(['ls', 'nu', '-r', ref], { env: env(READER) });
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/VERSION\s+DIGEST\s+SIZE\s+PUSHED\s+MESSAGE/);
    expect(ls.stdout).toContain('first release of nu');
    const lsJson = await cliJson<{ message?: string }[]>(['ls', 'nu', '-r', ref], env(READER));
    expect(lsJson.data[0]?.message).toBe('first release of nu');
    const versions = await api<{ versions: { message: string | null }[] }>(reg, '/api/v1/packs/nu/versions');
    expect(versions.versions[0]?.message).toBe('first release of nu');
    const manifest = await client().getManifest('spectro-packs/archive/nu', '1.0.0');
    const doc = JSON.parse(Buffer.from(manifest?.bytes ?? []).toString('utf8'));
    expect(doc.annotations).toEqual({ 'org.opencontainers.image.description': 'first release of nu' });
    expect(Object.keys(doc)).toEqual(['schemaVersion', 'mediaType', 'config', 'layers', 'annotations']);
  });

  it('--force needs --message, and overwrites only where the registry allows it', async ({ expect }) => {
    const original = await buildTestPack(namedPack('xi'), 'xi', '1.0.0');
    for (const c of [client(ref, WRITER), client(looseRef, WRITER)])
      expect((await publishPack(c, original)).status).toBe('published');
    const changed = makePack(namedPack('xi', '1.0.0', { 'README.md': '# xi, fixed\n' }));
    const [noMessage, strict, allowed] = await Promise.all([
      runCli(['push', changed, '-r', looseRef, '--force'], { env: env() }),
      cliJson<Row[]>(['push', changed, '-r', ref, '--force', '-m', 'fix the readme']),
      cliJson<Row[]>(['push', changed, '-r', looseRef, '--force', '-m', 'fix the readme']),
    ]);
    expect(noMessage.code).toBe(2);
    expect(noMessage.stderr).toContain('--force needs --message TEXT');
    expect(strict.code).toBe(1);
    expect(strict.data[0]?.message).toContain('this registry does not allow overwriting');
    expect((await client(ref).headManifest('spectro-packs/archive/xi', '1.0.0'))?.digest).toBe(
      original.manifestDigest,
    );
    expect(allowed.code).toBe(0);
    expect(allowed.data[0]?.status).toBe('published');
    const now = await client(looseRef).headManifest('spectro-packs/archive/xi', '1.0.0');
    expect(now?.digest).toBe(allowed.data[0]?.digest);
    expect(now?.digest).not.toBe(original.manifestDigest);
    const v = await api<{ message: string; replacedDigest: string }>(
      loose,
      '/api/v1/packs/xi/versions/1.0.0',
    );
    expect([v.message, v.replacedDigest]).toEqual(['fix the readme', original.manifestDigest]);
    // Without a message even a permissive registry refuses (a client that skips the CLI's check).
    const other = await buildTestPack(namedPack('xi', '1.0.0', { 'README.md': '# again\n' }), 'xi', '1.0.0');
    const raw = await publishPack(client(looseRef, WRITER), other, { force: true });
    expect(raw.status).toBe('failed');
    expect(raw.message).toContain('needs a message saying why');
  });

  it('ls --name filters packs by name', async ({ expect }) => {
    for (const n of ['filter-alpha', 'filter-beta', 'unrelated'])
      await publishPack(client(ref, WRITER), await buildTestPack(namedPack(n), n, '1.0.0'));
    const r = await cliJson<{ name: string }[]>(['ls', '--name', 'filter', '-r', ref], env(READER));
    expect(r.code).toBe(0);
    expect(r.data.map((p) => p.name).sort()).toEqual(['filter-alpha', 'filter-beta']);
    const text = await runCli(['pack', 'ls', '-n', 'filter-b', '-r', ref], { env: env(READER) });
    expect(text.stdout).toContain('filter-beta');
    expect(text.stdout).not.toContain('filter-alpha');
    expect(text.stderr).toContain('1 pack named *filter-b*');
  });

  it('pull NAME@sha256:… and pull NAME into ./<name>-<version>', async ({ expect }) => {
    const files = namedPack('omicron', '2.1.0');
    const pack = await buildTestPack(files, 'omicron', '2.1.0');
    await publishPack(client(ref, WRITER), pack);
    const byDigest = tempDir('pull-cwd-');
    const latest = tempDir('pull-cwd-');
    const [a, b, bad] = await Promise.all([
      runCli(['pull', `omicron@${pack.manifestDigest}`, '-r', ref], { env: env(READER), cwd: byDigest }),
      runCli(['pack', 'pull', 'omicron', '-r', ref], { env: env(READER), cwd: latest }),
      runCli(['pull', 'omicron@sha256:abc', '-r', ref], { env: env(READER) }),
    ]);
    expect(a.code).toBe(0);
    expect(a.stdout).toContain(`pulled omicron:2.1.0 (${pack.manifestDigest}) into omicron-2.1.0`);
    expect(b.code).toBe(0);
    for (const cwd of [byDigest, latest])
      expect(readFileSync(path.join(cwd, 'omicron-2.1.0', 'pack.json'), 'utf8')).toBe(files['pack.json']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not a manifest digest');
  });

  it('tag add sets and moves tags like stable; a version tag never moves', async ({ expect }) => {
    const v1 = await buildTestPack(namedPack('pi', '1.0.0'), 'pi', '1.0.0');
    const v2 = await buildTestPack(namedPack('pi', '1.1.0'), 'pi', '1.1.0');
    await publishPack(client(ref, WRITER), v1);
    await publishPack(client(ref, WRITER), v2);
    const repo = 'spectro-packs/archive/pi';
    const add = (args: string[], e = env()) => runCli(['tag', 'add', ...args, '-r', ref], { env: e });
    expect((await add(['pi:1.0.0', 'stable'])).code).toBe(0);
    expect((await client().headManifest(repo, 'stable'))?.digest).toBe(v1.manifestDigest);
    const moved = await add(['pi:1.1.0', 'stable']);
    expect(moved.code).toBe(0);
    expect(moved.stderr).toContain(`it was ${v1.manifestDigest}`);
    expect((await client().headManifest(repo, 'stable'))?.digest).toBe(v2.manifestDigest);
    const grouped = await runCli(['pack', 'tag', 'add', 'pi:1.0.0', '1.0.x', '-g', 'lts', '-r', ref], {
      env: env(),
    });
    expect(grouped.code).toBe(0);
    expect((await client().headManifest(repo, 'lts__1.0.x'))?.digest).toBe(v1.manifestDigest);
    const version = await add(['pi:1.1.0', '1.0.0']);
    expect(version.code).toBe(1);
    expect(version.stderr).toContain("a pack version's own tag, which never moves");
    expect((await client().headManifest(repo, '1.0.0'))?.digest).toBe(v1.manifestDigest);
    // Pulling by the moving tag gets the version it points at.
    const out = path.join(tempDir('pull-'), 'stable');
    expect((await runCli(['pull', 'pi:stable', out, '-r', ref], { env: env(READER) })).code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(out, 'pack.json'), 'utf8')).version).toBe('1.1.0');
    const del = await runCli(['tag', 'delete', 'pi:stable', '-r', ref], { env: env(ADMIN) });
    expect(del.code).toBe(0);
    expect(await client().headManifest(repo, 'stable')).toBeUndefined();
    expect((await client().headManifest(repo, '1.1.0'))?.digest).toBe(v2.manifestDigest);
  });

  it('refusals name the credential, its prefix or scope, and what to do, in every command', async ({
    expect,
  }) => {
    const pack = await buildTestPack(namedPack('rho'), 'rho', '1.0.0');
    await publishPack(client(ref, WRITER), pack);
    const team = env(TEAM_A);
    const hint = `team-a may push only under team-a/, not spectro-packs/archive/rho: use --registry ${ref}/team-a`;
    const [push, ls, pull, tag, del] = await Promise.all([
      cliJson<Row[]>(['push', makePack(namedPack('rho')), '-r', ref], team),
      runCli(['ls', '-r', ref], { env: team }),
      runCli(['pull', 'rho', tempDir('pull-'), '-r', ref], { env: team }),
      runCli(['tag', 'add', 'rho:1.0.0', 'stable', '-r', ref], { env: team }),
      runCli(['tag', 'delete', 'rho:1.0.0', '-r', ref], { env: env(WRITER) }),
    ]);
    expect(push.code).toBe(1);
    expect(push.data[0]?.message).toBe(hint);
    expect(ls.code).toBe(1);
    expect(ls.stderr).toContain(
      `team-a may see packs only under team-a/, not spectro-packs/archive/x: use --registry ${ref}/team-a`,
    );
    expect(pull.code).toBe(1);
    expect(pull.stderr).toContain(
      `team-a may pull only under team-a/, not spectro-packs/archive/rho: use --registry ${ref}/team-a`,
    );
    expect(tag.code).toBe(1);
    expect(tag.stderr).toContain(hint);
    expect(del.code).toBe(1);
    expect(del.stderr).toContain('ci has write access; to delete it needs an admin credential');
    // Following the advice works.
    const ok = await cliJson<Row[]>(['push', makePack(namedPack('rho')), '-r', `${ref}/team-a`], team);
    expect([ok.code, ok.data[0]?.status]).toEqual([0, 'published']);
  });

  it("uses docker's config.json auths, and login --docker-config writes them", async ({ expect }) => {
    const dockerDir = tempDir('docker-config-');
    const auth = Buffer.from(`${READER.username}:${READER.password}`).toString('base64');
    writeFileSync(
      path.join(dockerDir, 'config.json'),
      JSON.stringify({ auths: { [`http://${ref}`]: { auth } } }),
    );
    const ls = await runCli(['ls', '-r', ref], { env: env(null, { DOCKER_CONFIG: dockerDir }) });
    expect(ls.code).toBe(0);
    const fresh = tempDir('docker-config-');
    const login = await runCli(['login', ref, '-u', WRITER.username, '--password-stdin', '--docker-config'], {
      env: env(null, { DOCKER_CONFIG: fresh }),
      input: `${WRITER.password}\n`,
    });
    expect(login.code).toBe(0);
    const saved = JSON.parse(readFileSync(path.join(fresh, 'config.json'), 'utf8'));
    expect(Buffer.from(saved.auths[ref].auth, 'base64').toString()).toBe(
      `${WRITER.username}:${WRITER.password}`,
    );
    const logout = await runCli(['logout', ref, '--docker-config'], {
      env: env(null, { DOCKER_CONFIG: fresh }),
    });
    expect(logout.code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(fresh, 'config.json'), 'utf8')).auths).toEqual({});
  });

  it('uses a docker credential helper (get, store, erase) named by credHelpers', async ({ expect }) => {
    // A helper speaking the docker-credential-helpers protocol, keeping secrets in one folder.
    const bin = tempDir('helper-bin-');
    const store = tempDir('helper-store-');
    const helper = path.join(bin, 'docker-credential-packyard-test');
    writeFileSync(
      helper,
      `#!/usr/bin/env node
const fs = require('node:fs');
const path = require('node:path');
const dir = process.env.FAKE_HELPER_STORE;
let input = '';
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
  const verb = process.argv[2];
  fs.appendFileSync(path.join(dir, 'calls.log'), verb + '\\n');
  const file = (server) => path.join(dir, encodeURIComponent(server) + '.json');
  if (verb === 'store') {
    const c = JSON.parse(input);
    fs.writeFileSync(file(c.ServerURL), JSON.stringify(c));
  } else if (verb === 'get' || verb === 'erase') {
    const server = input.trim();
    if (!fs.existsSync(file(server))) { process.stdout.write('credentials not found in native keychain'); process.exit(1); }
    if (verb === 'get') process.stdout.write(fs.readFileSync(file(server), 'utf8'));
    else fs.rmSync(file(server));
  } else process.exit(2);
});
`,
    );
    chmodSync(helper, 0o755);
    const dockerDir = tempDir('docker-config-');
    writeFileSync(
      path.join(dockerDir, 'config.json'),
      JSON.stringify({ credHelpers: { [ref]: 'packyard-test' } }),
    );
    await publishPack(client(ref, WRITER), await buildTestPack(namedPack('sigma'), 'sigma', '1.0.0'));
    const e = (extra: NodeJS.ProcessEnv = {}) =>
      env(null, {
        DOCKER_CONFIG: dockerDir,
        FAKE_HELPER_STORE: store,
        PATH: `${bin}:${process.env.PATH}`,
        ...extra,
      });
    const before = await runCli(['ls', '-r', ref], { env: e() });
    // Without credentials the registry shows nothing.
    expect(before.stdout).not.toContain('sigma');
    const login = await runCli(['login', ref, '-u', WRITER.username, '--password-stdin', '--docker-config'], {
      env: e(),
      input: WRITER.password,
    });
    expect(login.code).toBe(0);
    expect(login.stderr).toContain('docker-credential-packyard-test');
    expect(JSON.parse(readFileSync(path.join(store, `${encodeURIComponent(ref)}.json`), 'utf8'))).toEqual({
      ServerURL: ref,
      Username: WRITER.username,
      Secret: WRITER.password,
    });
    // A fresh Packyard config folder: the credentials come from the helper.
    const ls = await runCli(['ls', '-r', ref], { env: e() });
    expect(ls.code).toBe(0);
    expect(ls.stdout).toContain('sigma');
    const logout = await runCli(['logout', ref, '--docker-config'], { env: e() });
    expect(logout.code).toBe(0);
    expect(existsSync(path.join(store, `${encodeURIComponent(ref)}.json`))).toBe(false);
    expect(readFileSync(path.join(store, 'calls.log'), 'utf8').trim().split('\n')).toEqual([
      'get',
      'store',
      'get',
      'erase',
    ]);
  });

  it('login asks for the password on a terminal without echoing it', async ({ expect }) => {
    let hasScript = true;
    try {
      execFileSync('script', ['--version'], { stdio: 'ignore' });
    } catch {
      hasScript = false;
    }
    if (!hasScript) return; // util-linux's script gives the CLI a pty; without it there is no terminal to test
    const e = env(null);
    // Answers are typed when asked, as a person would: the password after its prompt, once the
    // terminal is in raw mode, so only the CLI could echo it.
    const child = spawn('script', ['-qec', `${process.execPath} ${CLI} login ${ref}`, '/dev/null'], {
      env: { ...process.env, ...e, NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let typedUser = false;
    let typedPassword = false;
    let afterPassword = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (typedPassword) afterPassword += d;
      if (!typedUser && out.includes('Username')) {
        typedUser = true;
        child.stdin.write(`${WRITER.username}\r`);
      }
      if (!typedPassword && out.includes('Password for')) {
        typedPassword = true;
        setTimeout(() => child.stdin.write(`${WRITER.password}\r`), 200);
      }
    });
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill(), 30_000);
      child.on('close', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(code).toBe(0);
    expect(out).toContain(`Password for ${WRITER.username}@${ref}:`);
    expect(out).toContain(`logged in to ${ref} as ${WRITER.username}`);
    expect(afterPassword).not.toContain(WRITER.password);
    const saved = JSON.parse(
      readFileSync(path.join(e.PACKYARD_CONFIG_DIR as string, 'credentials.json'), 'utf8'),
    );
    expect(saved.auths[ref]).toEqual({ username: WRITER.username, password: WRITER.password });
  });
});

const TUTORIAL_PACK = path.join(ROOT, '..', 'shared', 'corpus', 'tutorials', 'hello-universe-pack');

describe.skipIf(!existsSync(TUTORIAL_PACK))("Spectro's Deploy a Custom Pack tutorial, as written", () => {
  it('registry login, pack push, pack ls, pack tag delete against packyard serve', async ({ expect }) => {
    const data = tempDir('serve-data-');
    const served = await serve(['--data', data], { PACKYARD_USERNAME: 'admin', PACKYARD_PASSWORD: 'admin' });
    try {
      const host = served.url.replace(/^http:\/\//, '');
      // The tutorial's container has the pack at /packs/hello-universe-pack; here it is a copy.
      const root = tempDir('tutorial-');
      mkdirSync(path.join(root, 'packs'));
      cpSync(TUTORIAL_PACK, path.join(root, 'packs', 'hello-universe-pack'), { recursive: true });
      const bin = tempDir('tutorial-bin-');
      writeFileSync(path.join(bin, 'packyard'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
      chmodSync(path.join(bin, 'packyard'), 0o755);
      // The tutorial's commands with `spectro` read as `packyard`; only the registry address changed.
      const script = `set -e
cd ${root}
packyard registry login  --insecure --default --username admin --password admin \\
${host}
packyard pack push ${root}/packs/hello-universe-pack/
packyard pack ls
packyard pack tag delete hellouniverse:1.0.0
packyard pack ls
`;
      const out = execFileSync('bash', ['-c', script], {
        env: {
          ...process.env,
          PATH: `${bin}:${process.env.PATH}`,
          PACKYARD_CONFIG_DIR: tempDir('packyard-config-'),
          PACKYARD_USERNAME: '',
          PACKYARD_PASSWORD: '',
          PACKYARD_REGISTRY: '',
          DOCKER_CONFIG: tempDir('docker-config-'),
          NO_COLOR: '1',
        },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 60_000,
      });
      const [pushTable, listed, afterDelete] = out.split(/\n(?=PACK|NAME)/);
      expect(pushTable).toMatch(/hellouniverse\s+1\.0\.0\s+published/);
      expect(listed).toMatch(/hellouniverse\s+1\.0\.0\s+addon\s+Hello Universe/);
      expect(afterDelete ?? '').not.toContain('hellouniverse');
    } finally {
      await served.stop();
    }
  });
});
