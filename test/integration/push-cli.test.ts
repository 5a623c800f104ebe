/**
 * `packyard push`, `login`/`logout` and `tag delete` as users run them: the real CLI bundle as a
 * subprocess against `packyard serve`'s stack on a real socket.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { beforeAll, describe, it } from 'vitest';
import { publishPack } from '../../client/publish.ts';
import { parseRegistryRef } from '../../client/reference.ts';
import { RegistryClient } from '../../client/registry-client.ts';
import { tarPack } from '../../core/archive.ts';
import { EMPTY_CONFIG, MEDIA_TYPE_MANIFEST, packManifest, sha256Digest } from '../../core/oci.ts';
import { readPackTree } from '../../core/pack-tree.ts';
import type { LocalRegistry } from '../../lambdas/local/serve.ts';
import { makePack, runCli, tempDir } from '../helpers/packs.ts';
import { cliEnv, freePort, namedPack, plainRegistryProxy } from '../helpers/publish.ts';
import { ADMIN, buildTestPack, startTestRegistry, WRITER } from '../helpers/registry.ts';

interface Row {
  name: string;
  version: string;
  digest: string;
  status: string;
  repository: string;
  uploaded: number;
  message?: string;
  path: string;
}

let reg: LocalRegistry;
let ref: string;

/** Environment of a CI job: write credentials in env, a private config folder, few retries. */
function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return cliEnv(WRITER, extra);
}

async function pushJson(dirs: string[], e: NodeJS.ProcessEnv = env(), extra: string[] = []) {
  const r = await runCli(['push', ...dirs, '--registry', ref, '--format', 'json', ...extra], { env: e });
  let rows: Row[] = [];
  try {
    rows = JSON.parse(r.stdout) as Row[];
  } catch {
    // asserted by the caller through r.code / r.stderr
  }
  return { ...r, rows };
}

function client(user: { username: string; password: string } = ADMIN): RegistryClient {
  return new RegistryClient({ registry: parseRegistryRef(ref), credentials: user });
}

describe.concurrent('packyard push', () => {
  beforeAll(async () => {
    reg = await startTestRegistry();
    ref = reg.url.replace('http://', '');
  });

  it('publishes two packs, then a re-run skips both and uploads nothing', async ({ expect }) => {
    const root = tempDir();
    makePack(namedPack('alpha'), root, 'alpha');
    makePack(namedPack('beta', '2.0.0'), root, 'beta');
    const first = await pushJson([root]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.rows.map((r) => [r.name, r.version, r.status, r.repository])).toEqual([
      ['alpha', '1.0.0', 'published', 'spectro-packs/archive/alpha'],
      ['beta', '2.0.0', 'published', 'spectro-packs/archive/beta'],
    ]);
    for (const r of first.rows) {
      expect(r.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(r.uploaded).toBeGreaterThan(1000);
      expect((await client().headManifest(r.repository, r.version))?.digest).toBe(r.digest);
    }
    expect(first.stderr).toContain('published alpha@1.0.0');

    const [again, text] = await Promise.all([
      pushJson([root]),
      runCli(['push', root, '--registry', ref], { env: env() }),
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.rows.map((r) => [r.name, r.status, r.uploaded, r.digest])).toEqual(
      first.rows.map((r) => [r.name, 'skipped', 0, r.digest]),
    );
    // Packyard recorded each version's content digest: nothing was linted or packaged again.
    for (const r of again.rows)
      expect(r.message).toMatch(/^unchanged since published .* by ci \(same content digest\)/);
    // Any other OCI registry (no Packyard API): packaged again, skipped by the manifest digest.
    const plain = await plainRegistryProxy(reg.url);
    const generic = await runCli(['push', root, '--registry', plain.host, '--format', 'json'], {
      env: env(),
    });
    expect(generic.code, generic.stderr).toBe(0);
    expect((JSON.parse(generic.stdout) as Row[]).map((r) => [r.status, r.digest, r.message])).toEqual(
      first.rows.map((r) => ['skipped', r.digest, 'already published']),
    );
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^PACK +VERSION +STATUS +UPLOADED +DIGEST$/m);
    expect(text.stdout).toMatch(/^alpha +1\.0\.0 +skipped +0 bytes +sha256:/m);
    expect(text.stdout).toContain('0 published, 2 skipped, 0 invalid, 0 failed; 0 bytes uploaded');
  });

  it('refuses a different build of a published version, naming both digests', async ({ expect }) => {
    const original = await buildTestPack(namedPack('gamma'), 'gamma', '1.0.0');
    expect((await publishPack(client(WRITER), original)).status).toBe('published');
    const published = original.manifestDigest;
    const changedPack = makePack(namedPack('gamma', '1.0.0', { 'README.md': '# changed\n' }));
    // --force (with the message it needs) asks the registry to overwrite; Packyard keeps versions
    // immutable unless its policy allows overwriting, and says so.
    const [changed, forced] = await Promise.all([
      pushJson([changedPack]),
      pushJson([changedPack], env(), ['--force', '--message', 'fix the readme']),
    ]);
    expect(changed.code).toBe(1);
    const row = changed.rows[0] as Row;
    expect(row.status).toBe('failed');
    expect(row.digest).not.toBe(published);
    expect(row.message).toContain(published);
    expect(row.message).toContain(row.digest);
    expect(changed.stderr).toContain(published);
    expect(forced.code).toBe(1);
    expect(forced.rows[0]?.message).toMatch(/immutable.*409 DENIED/s);
    expect((await client().headManifest('spectro-packs/archive/gamma', '1.0.0'))?.digest).toBe(published);
  });

  it('skips a version published by another tool with the same content, though its digest differs', async ({
    expect,
  }) => {
    const dir = makePack(namedPack('nu'));
    // The same files, archived by "another tool": same tar, different gzip → another layer digest.
    const archive = zlib.gzipSync(tarPack(readPackTree(dir), 'nu-1.0.0'), { level: 1 });
    const manifest = packManifest({
      digest: sha256Digest(archive),
      size: archive.length,
      title: 'nu-1.0.0.tar.gz',
    });
    const repo = 'spectro-packs/archive/nu';
    const c = client(WRITER);
    await c.pushBlob(repo, EMPTY_CONFIG);
    await c.pushBlob(repo, archive);
    await c.putManifest(repo, '1.0.0', manifest, MEDIA_TYPE_MANIFEST);
    const r = await pushJson([dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.rows[0]).toMatchObject({ status: 'skipped', digest: sha256Digest(manifest), uploaded: 0 });
    expect(r.rows[0]?.message).toContain('same content digest');
    // One changed byte is a different pack: packaged, and refused as a conflicting build.
    const changed = await pushJson([makePack(namedPack('nu', '1.0.0', { 'README.md': '# other\n' }))]);
    expect(changed.code).toBe(1);
    expect(changed.rows[0]).toMatchObject({ status: 'failed' });
    expect(changed.rows[0]?.message).toContain(sha256Digest(manifest));
  });

  it('never skips a pack whose name and version another folder also claims', async ({ expect }) => {
    const root = tempDir();
    makePack(namedPack('mu'), root, 'a');
    const first = await pushJson([path.join(root, 'a')]);
    expect(first.rows[0]?.status).toBe('published');
    makePack(namedPack('mu', '1.0.0', { 'README.md': '# copy\n' }), root, 'b');
    const r = await pushJson([root]);
    expect(r.code).toBe(1);
    expect(r.rows.map((row) => [row.path.split('/').at(-1), row.status])).toEqual([
      ['a', 'invalid'],
      ['b', 'invalid'],
    ]);
    expect(r.rows[0]?.message).toMatch(/mu@1\.0\.0 is also defined by/);
  });

  it('publishes the good packs when one has lint errors, then fails', async ({ expect }) => {
    const root = tempDir();
    makePack(namedPack('delta'), root, 'delta');
    const bad = JSON.parse(String(namedPack('broken')['pack.json']));
    makePack(
      namedPack('broken', '1.0.0', { 'pack.json': JSON.stringify({ ...bad, layer: 'nope' }) }),
      root,
      'broken',
    );
    makePack(namedPack('epsilon'), root, 'epsilon');
    const r = await pushJson([root]);
    expect(r.code).toBe(1);
    expect(r.rows.map((x) => [x.name, x.status])).toEqual([
      ['broken', 'invalid'],
      ['delta', 'published'],
      ['epsilon', 'published'],
    ]);
    expect(r.rows[0]?.message).toContain('1 lint error');
    expect(r.stderr).toContain('pack-json/schema');
    expect(r.stderr).toContain('1 pack with lint errors will not be pushed');
    expect(await client().headManifest('spectro-packs/archive/broken', '1.0.0')).toBeUndefined();
  });

  it('says clearly when the password is wrong, and never prints it', async ({ expect }) => {
    const secret = 'not-the-password-42';
    const r = await runCli(
      ['push', makePack(namedPack('zeta')), '--registry', ref, '-u', WRITER.username, '--password-stdin'],
      {
        env: env({ PACKYARD_USERNAME: '', PACKYARD_PASSWORD: '' }),
        input: `${secret}\n`,
      },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${ref} refused the credentials of user ${WRITER.username}`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr + r.stdout).not.toContain(secret);

    const none = await runCli(['push', makePack(namedPack('zeta')), '--registry', ref], {
      env: env({ PACKYARD_USERNAME: '', PACKYARD_PASSWORD: '' }),
    });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`${ref} requires credentials: run "packyard login"`);
  });

  it('says clearly when the registry is down', async ({ expect }) => {
    const port = await freePort();
    const r = await runCli(['push', makePack(namedPack('eta')), '--registry', `127.0.0.1:${port}`], {
      env: env({ PACKYARD_RETRIES: '0' }),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`packyard: cannot reach 127.0.0.1:${port}: connection refused`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('refuses plain http to another host without --insecure', async ({ expect }) => {
    const r = await runCli(
      ['push', makePack(namedPack('theta')), '--registry', 'http://registry.example.com'],
      { env: env() },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refusing plain http to registry.example.com');
  });

  it('completes an interrupted push: blobs already uploaded, manifest missing', async ({ expect }) => {
    const files = namedPack('iota');
    const built = await buildTestPack(files, 'iota', '1.0.0');
    const repo = 'spectro-packs/archive/iota';
    const c = client(WRITER);
    await c.pushBlob(repo, EMPTY_CONFIG);
    await c.pushBlob(repo, built.archive);
    expect(await c.headManifest(repo, '1.0.0')).toBeUndefined();
    const r = await pushJson([makePack(files)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.rows[0]).toMatchObject({
      status: 'published',
      digest: built.manifestDigest,
      // the layer is found and not sent again; the 2-byte config is sent without asking first
      uploaded: built.manifest.length + EMPTY_CONFIG.length,
    });
    expect((await c.headManifest(repo, '1.0.0'))?.digest).toBe(built.manifestDigest);
  });

  it('uploads a layer over 4 MiB in chunks', async ({ expect }) => {
    const big = randomBytes(5 * 1024 * 1024 + 123);
    const r = await pushJson([makePack(namedPack('kappa', '1.0.0', { 'files/blob.bin': big }))]);
    expect(r.code, r.stderr).toBe(0);
    const row = r.rows[0] as Row;
    expect(row.status).toBe('published');
    expect(row.uploaded).toBeGreaterThan(5 * 1024 * 1024); // random bytes do not compress
    const manifest = await client().getManifest(row.repository, row.version);
    const layer = JSON.parse(Buffer.from(manifest?.bytes ?? []).toString('utf8')).layers[0];
    expect(layer.size).toBeGreaterThan(4 * 1024 * 1024);
    const bytes = await client().getBlob(row.repository, layer.digest, 64 * 1024 * 1024);
    expect(bytes.length).toBe(layer.size);
  });

  it('login saves credentials (0600) that push then uses; logout removes them', async ({ expect }) => {
    const config = path.join(tempDir(), 'nested', 'packyard');
    const noEnv = env({ PACKYARD_CONFIG_DIR: config, PACKYARD_USERNAME: '', PACKYARD_PASSWORD: '' });
    const [bad, login] = await Promise.all([
      runCli(['login', ref, '-u', WRITER.username, '--password-stdin'], {
        env: noEnv,
        input: 'wrong-password-1\n',
      }),
      runCli(['login', ref, '-u', WRITER.username, '--password-stdin'], {
        env: noEnv,
        input: `${WRITER.password}\n`,
      }),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('refused the credentials');
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).toContain(`logged in to ${ref} as ${WRITER.username}`);
    expect(login.stderr + login.stdout).not.toContain(WRITER.password);
    const file = path.join(config, 'credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(config).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      auths: { [ref]: { username: WRITER.username, password: WRITER.password } },
    });

    const push = await pushJson([makePack(namedPack('lambda'))], noEnv);
    expect(push.code, push.stderr).toBe(0);
    expect(push.rows[0]?.status).toBe('published');

    const logout = await runCli(['registry', 'logout', ref], { env: noEnv }); // the Spectro-style alias
    expect(logout.code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ auths: {} });
  });

  it('tag delete removes a version (admin only on Packyard)', async ({ expect }) => {
    const pack = await buildTestPack(namedPack('mu', '3.1.0'), 'mu', '3.1.0');
    expect((await publishPack(client(WRITER), pack)).status).toBe('published');
    const admin = env({ PACKYARD_USERNAME: ADMIN.username, PACKYARD_PASSWORD: ADMIN.password });
    const [denied, noVersion] = await Promise.all([
      runCli(['tag', 'delete', 'mu:3.1.0', '--registry', ref], { env: env() }),
      runCli(['tag', 'delete', 'mu', '--registry', ref], { env: admin }),
    ]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('ci has write access; to delete it needs an admin credential');
    expect(noVersion.code).toBe(2);
    expect(noVersion.stderr).toContain('name the version to delete: mu:<version>');
    const del = await runCli(['pack', 'tag', 'delete', 'mu:3.1.0', '--registry', ref], { env: admin });
    expect(del.code, del.stderr).toBe(0);
    expect(del.stderr).toContain(`deleted tag 3.1.0 of ${ref}/spectro-packs/archive/mu`);
    expect(await client().headManifest('spectro-packs/archive/mu', '3.1.0')).toBeUndefined();
    const again = await runCli(['tag', 'delete', 'mu:3.1.0', '--registry', ref], { env: admin });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('mu:3.1.0 is not in');
  });
});
