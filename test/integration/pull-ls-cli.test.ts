/**
 * `packyard ls` and `packyard pull` (the real CLI bundle) against `packyard serve`'s stack: with
 * Packyard's JSON API, and through a proxy that hides it so only the OCI distribution API is left;
 * pull round trips, refusals, hostile archives; interop with skopeo both ways.
 */
import { chmodSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, type ExpectStatic, expect as globalExpect, it } from 'vitest';
import { publishPack } from '../../client/publish.ts';
import { parseRegistryRef } from '../../client/reference.ts';
import { RegistryClient } from '../../client/registry-client.ts';
import { type BuiltPack, buildPack } from '../../core/build-pack.ts';
import { EMPTY_CONFIG, MEDIA_TYPE_MANIFEST, packManifest, sha256Digest } from '../../core/oci.ts';
import { readPackTree } from '../../core/pack-tree.ts';
import type { LocalRegistry } from '../../lambdas/local/serve.ts';
import { hostileArchive } from '../helpers/hostile.ts';
import { makePack, runCli, tempDir } from '../helpers/packs.ts';
import { cliEnv, namedPack, plainRegistryProxy } from '../helpers/publish.ts';
import { ADMIN, buildTestPack, READER, startTestRegistry, TEAM_A, WRITER } from '../helpers/registry.ts';
import { hasSkopeo, runSkopeo } from '../helpers/skopeo.ts';

let reg: LocalRegistry;
let ref: string;
/** The same registry without Packyard's JSON API. */
let plain: string;
/** omicron's source folder (it has an executable script). */
let omicronDir: string;
const versions: Record<string, BuiltPack> = {};

function env(user: { username: string; password: string } = READER, extra: NodeJS.ProcessEnv = {}) {
  return cliEnv(user, extra);
}

function client(registry: string, user = WRITER): RegistryClient {
  return new RegistryClient({ registry: parseRegistryRef(registry), credentials: user });
}

async function json<T>(args: string[], e = env()): Promise<{ code: number; stderr: string; data: T }> {
  const r = await runCli([...args, '--format', 'json'], { env: e });
  let data: T = undefined as T;
  try {
    data = JSON.parse(r.stdout) as T;
  } catch {
    // the caller asserts r.code and r.stderr
  }
  return { code: r.code, stderr: r.stderr, data };
}

function expectSameFiles(expect: ExpectStatic, dir: string, src: string, files: string[]) {
  for (const f of files)
    expect([f, readFileSync(path.join(dir, f))]).toEqual([f, readFileSync(path.join(src, f))]);
}

beforeAll(async () => {
  reg = await startTestRegistry();
  ref = reg.url.replace('http://', '');
  plain = (await plainRegistryProxy(reg.url)).host;
  const c = client(ref);
  for (const v of ['1.0.0', '1.10.0', '1.2.0']) {
    versions[v] = await buildTestPack(
      namedPack('nu', v, { [`notes/${v}.txt`]: `notes for ${v}\n` }),
      'nu',
      v,
    );
    globalExpect((await publishPack(c, versions[v] as BuiltPack)).status).toBe('published');
  }
  omicronDir = makePack(namedPack('omicron', '0.3.0', { 'scripts/run.sh': '#!/bin/sh\necho hi\n' }));
  chmodSync(path.join(omicronDir, 'scripts/run.sh'), 0o755);
  const omicron = await buildPack(readPackTree(omicronDir), 'omicron', '0.3.0');
  globalExpect((await publishPack(c, omicron)).status).toBe('published');
});

describe.concurrent('packyard ls and pull', () => {
  it('lists packs and versions from the Packyard JSON API', async ({ expect }) => {
    const [text, packs, nu, none] = await Promise.all([
      runCli(['ls', '--registry', ref], { env: env() }),
      json<{ name: string; latestVersion: string; layer: string }[]>(['ls', '--registry', ref]),
      json<{ version: string; digest: string; pushedBy: string }[]>(['pack', 'ls', 'nu', '--registry', ref]),
      runCli(['ls', 'pi', '--registry', ref], { env: env() }),
    ]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      /^NAME +LATEST +LAYER +DISPLAY NAME\nnu +1\.10\.0 +addon +Pack nu\nomicron +0\.3\.0 +addon +Pack omicron\n$/,
    );
    expect(text.stderr).toContain(`2 packs in ${ref}/spectro-packs/archive/`);
    expect(packs.data.map((p) => [p.name, p.latestVersion, p.layer])).toEqual([
      ['nu', '1.10.0', 'addon'],
      ['omicron', '0.3.0', 'addon'],
    ]);
    expect(nu.data.map((v) => [v.version, v.digest, v.pushedBy])).toEqual(
      ['1.10.0', '1.2.0', '1.0.0'].map((v) => [v, versions[v]?.manifestDigest, WRITER.username]),
    );
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`no pack "pi" in ${ref}/spectro-packs/archive/pi`);
  });

  it('lists with _catalog and tags/list where the registry has no Packyard API', async ({ expect }) => {
    const noCatalog = (await plainRegistryProxy(reg.url, { refuseCatalog: true })).host;
    const [packs, nu, refused, byName] = await Promise.all([
      json<{ name: string; latestVersion: string }[]>(['ls', '--registry', plain]),
      json<{ version: string }[]>(['ls', 'nu', '--registry', plain]),
      runCli(['ls', '--registry', noCatalog], { env: env() }),
      json<{ version: string }[]>(['ls', 'nu', '--registry', noCatalog]),
    ]);
    expect(packs.code, packs.stderr).toBe(0);
    expect(packs.data).toEqual([
      { name: 'nu', repository: 'spectro-packs/archive/nu', latestVersion: '1.10.0' },
      { name: 'omicron', repository: 'spectro-packs/archive/omicron', latestVersion: '0.3.0' },
    ]);
    expect(packs.stderr).toContain('listed with _catalog');
    expect(nu.data.map((v) => v.version)).toEqual(['1.10.0', '1.2.0', '1.0.0']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'has no Packyard pack API and does not let this client list its repositories',
    );
    expect(refused.stderr).toContain('name a pack to list its versions');
    expect(byName.data.map((v) => v.version)).toEqual(['1.10.0', '1.2.0', '1.0.0']);
  });

  it('pulls the newest version by default, byte for byte, and refuses to overwrite', async ({ expect }) => {
    const dir = path.join(tempDir(), 'nu');
    const pulled = await json<{ version: string; digest: string; files: { path: string; mode: string }[] }>([
      'pull',
      'nu',
      dir,
      '--registry',
      ref,
    ]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.data.version).toBe('1.10.0');
    expect(pulled.data.digest).toBe(versions['1.10.0']?.manifestDigest);
    const src = makePack(namedPack('nu', '1.10.0', { 'notes/1.10.0.txt': 'notes for 1.10.0\n' }));
    const files = pulled.data.files.map((f) => f.path);
    expect(files.sort()).toEqual(
      [
        'README.md',
        'logo.png',
        'manifests/demo-app.yaml',
        'notes/1.10.0.txt',
        'pack.json',
        'values.yaml',
      ].sort(),
    );
    expectSameFiles(expect, dir, src, files);

    writeFileSync(path.join(dir, 'README.md'), 'my local edit\n');
    const again = await runCli(['pull', 'nu:1.10.0', dir, '--registry', ref], { env: env() });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exist');
    expect(again.stderr).toContain('--force');
    expect(readFileSync(path.join(dir, 'README.md'), 'utf8')).toBe('my local edit\n');

    const forced = await runCli(['pull', 'nu:1.2.0', dir, '--registry', ref, '--force'], { env: env() });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain(`pulled nu:1.2.0 (${versions['1.2.0']?.manifestDigest}) into ${dir}`);
    expect(readFileSync(path.join(dir, 'README.md'), 'utf8')).toBe('# Demo App\n');
  });

  it('pulls with file modes 0644/0755, also from a registry without the Packyard API', async ({ expect }) => {
    const dir = path.join(tempDir(), 'omicron');
    const r = await runCli(['pull', 'omicron', dir, '--registry', plain], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`wrote ${path.join(dir, 'scripts/run.sh')}`);
    expect(statSync(path.join(dir, 'scripts/run.sh')).mode & 0o777).toBe(0o755);
    expect(statSync(path.join(dir, 'pack.json')).mode & 0o777).toBe(0o644);
    expectSameFiles(expect, dir, omicronDir, ['scripts/run.sh', 'pack.json', 'values.yaml']);
  });

  it('never follows a symbolic link already in DIR, even with --force', async ({ expect }) => {
    const root = tempDir();
    const outside = path.join(root, 'outside');
    mkdirSync(outside);
    const dir = path.join(root, 'dest');
    mkdirSync(dir);
    symlinkSync(outside, path.join(dir, 'manifests'));
    const r = await runCli(['pull', 'nu:1.0.0', dir, '--registry', ref, '--force'], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is a symbolic link');
    expect(() => statSync(path.join(outside, 'demo-app.yaml'))).toThrow();

    // A link where a file goes is replaced (with --force), never written through.
    const dir2 = path.join(root, 'dest2');
    mkdirSync(dir2);
    writeFileSync(path.join(outside, 'secret.txt'), 'keep me\n');
    symlinkSync(path.join(outside, 'secret.txt'), path.join(dir2, 'README.md'));
    const refused = await runCli(['pull', 'nu:1.0.0', dir2, '--registry', ref], { env: env() });
    expect(refused.code).toBe(1);
    const forced = await runCli(['pull', 'nu:1.0.0', dir2, '--registry', ref, '--force'], { env: env() });
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(path.join(outside, 'secret.txt'), 'utf8')).toBe('keep me\n');
    expect(readFileSync(path.join(dir2, 'README.md'), 'utf8')).toBe('# Demo App\n');
  });

  // The registry now refuses such archives under every lint policy (registry-hostile-archives.test.ts);
  // pull's own refusal is tested in test/unit/extract.test.ts.
  it('cannot pull a pack archive holding a symbolic link: the registry refused it even under lintPolicy warn', async ({
    expect,
  }) => {
    const warnReg = await startTestRegistry({ config: { lintPolicy: 'warn' } });
    const warnRef = warnReg.url.replace('http://', '');
    const archive = hostileArchive('rho-1.0.0', namedPack('rho'), [
      { path: 'rho-1.0.0/passwd', type: 'SymbolicLink', linkpath: '/etc/passwd' },
    ]);
    const repo = 'spectro-packs/archive/rho';
    const c = client(warnRef);
    await c.pushBlob(repo, EMPTY_CONFIG);
    await c.pushBlob(repo, archive);
    const manifest = packManifest({
      digest: sha256Digest(archive),
      size: archive.length,
      title: 'rho-1.0.0.tar.gz',
    });
    await expect(c.putManifest(repo, '1.0.0', manifest, MEDIA_TYPE_MANIFEST)).rejects.toThrow(
      /"passwd" is a symbolic link/,
    );

    const dir = path.join(tempDir(), 'rho');
    const r = await runCli(['pull', 'rho:1.0.0', dir, '--registry', warnRef], { env: env() });
    expect(r.code).toBe(1);
    expect(() => statSync(path.join(dir, 'pack.json'))).toThrow(); // nothing written
  });

  it('works under a base content path, with a credential limited to it', async ({ expect }) => {
    const based = `${ref}/team-a`;
    const src = makePack(namedPack('upsilon', '0.0.1'));
    const push = await json<{ repository: string; status: string }[]>(
      ['push', src, '--registry', based],
      env(TEAM_A),
    );
    expect(push.code, push.stderr).toBe(0);
    expect(push.data[0]).toMatchObject({
      repository: 'team-a/spectro-packs/archive/upsilon',
      status: 'published',
    });
    const dir = path.join(tempDir(), 'upsilon');
    const [ls, pull, outside] = await Promise.all([
      json<{ name: string; repository: string }[]>(['ls', '--registry', based], env(TEAM_A)),
      runCli(['pull', 'upsilon', dir, '--registry', based], { env: env(TEAM_A) }),
      json<{ status: string; message: string }[]>(['push', src, '--registry', ref], env(TEAM_A)),
    ]);
    expect(ls.data).toEqual([
      expect.objectContaining({ name: 'upsilon', repository: 'team-a/spectro-packs/archive/upsilon' }),
    ]);
    expect(pull.code, pull.stderr).toBe(0);
    expectSameFiles(expect, dir, src, ['pack.json', 'values.yaml']);
    expect(outside.code).toBe(1);
    expect(outside.data[0]?.status).toBe('failed');
    expect(outside.data[0]?.message).toContain('spectro-packs/archive/upsilon');
  });

  it('says when a version does not exist', async ({ expect }) => {
    const r = await runCli(['pull', 'nu:9.9.9', tempDir(), '--registry', ref], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`nu:9.9.9 is not in ${ref}/spectro-packs/archive/nu`);
  });
});

describe.runIf(hasSkopeo || process.env.CI)('packyard push/pull and skopeo', () => {
  let home: string;
  const skopeo = (...args: string[]) => runSkopeo(home, args);
  const creds = `${ADMIN.username}:${ADMIN.password}`;

  beforeAll(() => {
    home = tempDir('skopeo-home-');
  });

  it.concurrent('skopeo reads what packyard push published', async ({ expect }) => {
    const r = await runCli(['push', makePack(namedPack('sigma')), '--registry', ref, '--format', 'json'], {
      env: env(WRITER),
    });
    expect(r.code, r.stderr).toBe(0);
    const [row] = JSON.parse(r.stdout) as { digest: string }[];
    const image = `docker://${ref}/spectro-packs/archive/sigma:1.0.0`;
    const raw = await skopeo('inspect', '--raw', '--tls-verify=false', '--creds', creds, image);
    expect(raw.code, raw.stderr).toBe(0);
    expect(sha256Digest(Buffer.from(raw.stdout))).toBe(row?.digest);
    const out = path.join(tempDir(), 'copy');
    const copy = await skopeo(
      'copy',
      '--quiet',
      '--src-tls-verify=false',
      '--src-creds',
      creds,
      image,
      `dir:${out}`,
    );
    expect(copy.code, copy.stderr).toBe(0);
    const built = await buildTestPack(namedPack('sigma'), 'sigma', '1.0.0');
    expect(readFileSync(path.join(out, built.layerDigest.slice(7))).equals(Buffer.from(built.archive))).toBe(
      true,
    );
  });

  it.concurrent('packyard lists and pulls what skopeo pushed from a packyard build layout', async ({
    expect,
  }) => {
    const src = makePack(namedPack('tau', '2.1.0'));
    const layout = tempDir('layout-');
    const b = await runCli(['build', src, '--out', layout], { env: env() });
    expect(b.code, b.stderr).toBe(0);
    const push = await skopeo(
      'copy',
      '--quiet',
      '--dest-tls-verify=false',
      '--dest-creds',
      creds,
      `oci:${layout}:tau:2.1.0`,
      `docker://${ref}/spectro-packs/archive/tau:2.1.0`,
    );
    expect(push.code, push.stderr).toBe(0);
    const [ls, lsPlain] = await Promise.all([
      json<{ version: string }[]>(['ls', 'tau', '--registry', ref]),
      json<{ name: string }[]>(['ls', '--registry', plain]),
    ]);
    expect(ls.data.map((v) => v.version)).toEqual(['2.1.0']);
    expect(lsPlain.data.map((p) => p.name)).toContain('tau');
    const dir = path.join(tempDir(), 'tau');
    const pull = await runCli(['pull', 'tau', dir, '--registry', ref], { env: env() });
    expect(pull.code, pull.stderr).toBe(0);
    expectSameFiles(expect, dir, src, [
      'pack.json',
      'values.yaml',
      'manifests/demo-app.yaml',
      'logo.png',
      'README.md',
    ]);
  });
});
