import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  utimesSync,
} from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { goodPack, makePack, runCli, tempDir, writeFiles } from '../helpers/packs.ts';

interface BuildRow {
  name: string;
  version: string;
  archive: string;
  manifestDigest: string;
  layerDigest: string;
  size: number;
}

async function build(dirs: string[], out: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const res = await runCli(['build', ...dirs, '--out', out, '--format', 'json', ...extra], { env });
  return {
    ...res,
    rows: res.code === 0 || res.stdout.startsWith('[') ? (JSON.parse(res.stdout || '[]') as BuildRow[]) : [],
  };
}

/** Lists a tar.gz with GNU tar: mode, owner, mtime and name of every entry. */
function tarListing(archive: string): string[] {
  return execFileSync('tar', ['--numeric-owner', '--full-time', '-tvzf', archive], {
    encoding: 'utf8',
    env: { TZ: 'UTC' },
  })
    .trim()
    .split('\n');
}

describe('packyard build', () => {
  it('writes an archive and an OCI layout with the oras v1.0.0 manifest shape', async () => {
    const pack = makePack(goodPack());
    const out = tempDir();
    const { code, rows, stderr } = await build([pack], out);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(rows).toHaveLength(1);
    const row = rows[0] as BuildRow;
    expect(row).toMatchObject({
      name: 'demo-app',
      version: '1.0.0',
      archive: path.join(out, 'demo-app-1.0.0.tar.gz'),
    });

    const archive = readFileSync(row.archive);
    expect(row.size).toBe(archive.length);
    expect(JSON.parse(readFileSync(path.join(out, 'oci-layout'), 'utf8'))).toEqual({
      imageLayoutVersion: '1.0.0',
    });
    const index = JSON.parse(readFileSync(path.join(out, 'index.json'), 'utf8'));
    expect(index.manifests).toEqual([
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: row.manifestDigest,
        size: expect.any(Number),
        annotations: { 'org.opencontainers.image.ref.name': 'demo-app:1.0.0' },
      },
    ]);
    const blob = (d: string) => readFileSync(path.join(out, 'blobs', 'sha256', d.replace('sha256:', '')));
    expect(blob(row.layerDigest).equals(archive)).toBe(true);
    // Byte for byte what `oras push host/…/demo-app:1.0.0 demo-app-1.0.0.tar.gz` (v1.0.0) writes, minus its created annotation.
    expect(blob(row.manifestDigest).toString()).toBe(
      `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.unknown.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"${row.layerDigest}","size":${archive.length},"annotations":{"org.opencontainers.image.title":"demo-app-1.0.0.tar.gz"}}]}`,
    );
    expect(blob('sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a').toString()).toBe(
      '{}',
    );
  });

  it('archives one top-level folder with normalised metadata', async () => {
    const pack = makePack(goodPack({ 'scripts/run.sh': '#!/bin/sh\necho hi\n' }));
    chmodSync(path.join(pack, 'scripts/run.sh'), 0o700);
    chmodSync(path.join(pack, 'values.yaml'), 0o600);
    const out = tempDir();
    const { rows } = await build([pack], out);
    const lines = tarListing((rows[0] as BuildRow).archive);
    expect(lines.map((l) => l.split(/\s+/).pop())).toEqual([
      'demo-app-1.0.0/',
      'demo-app-1.0.0/README.md',
      'demo-app-1.0.0/logo.png',
      'demo-app-1.0.0/manifests/',
      'demo-app-1.0.0/manifests/demo-app.yaml',
      'demo-app-1.0.0/pack.json',
      'demo-app-1.0.0/scripts/',
      'demo-app-1.0.0/scripts/run.sh',
      'demo-app-1.0.0/values.yaml',
    ]);
    for (const l of lines) {
      expect(l).toMatch(/^[-d]rw[-x]r-[-x]r-[-x] 0\/0 .* 1970-01-01 00:00:00 /);
    }
    expect(lines.find((l) => l.endsWith('run.sh'))).toMatch(/^-rwxr-xr-x/);
    expect(lines.find((l) => l.endsWith('values.yaml'))).toMatch(/^-rw-r--r--/);
    // gzip header: no mtime, no file name, OS=3 (Unix).
    const gz = readFileSync((rows[0] as BuildRow).archive);
    expect([...gz.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
  });

  it('is reproducible across mtimes, owners, modes, file creation order and checkout paths', async () => {
    const files = goodPack({ 'docs/a.md': 'a\n', 'docs/b.md': 'b\n' });
    const a = makePack(files, tempDir('checkout-one-'), 'packs/demo');
    // Second checkout: different parent path and folder name, files written in reverse order.
    const b = path.join(tempDir('another-place-'), 'x', 'renamed');
    for (const [rel, content] of Object.entries(files).reverse()) writeFiles(b, { [rel]: content });
    utimesSync(path.join(b, 'values.yaml'), new Date('2001-02-03'), new Date('2001-02-03'));
    chmodSync(path.join(b, 'pack.json'), 0o600);
    chownSync(path.join(b, 'README.md'), 1234, 5678);
    const [ra, rb] = await Promise.all([build([a], tempDir()), build([b], tempDir())]);
    const rowA = ra.rows[0] as BuildRow;
    const rowB = rb.rows[0] as BuildRow;
    expect(rowA.layerDigest).toBe(rowB.layerDigest);
    expect(rowA.manifestDigest).toBe(rowB.manifestDigest);
    expect(readFileSync(rowA.archive).equals(readFileSync(rowB.archive))).toBe(true);
  });

  it('changes the digest when content changes', async () => {
    const one = await build([makePack(goodPack())], tempDir());
    const two = await build([makePack(goodPack({ 'README.md': '# Demo App, edited\n' }))], tempDir());
    expect(one.rows[0]?.layerDigest).not.toBe(two.rows[0]?.layerDigest);
  });

  it('adds org.opencontainers.image.created only when asked, from --created or SOURCE_DATE_EPOCH', async () => {
    const pack = makePack(goodPack());
    const manifestOf = (out: string, row: BuildRow) =>
      JSON.parse(readFileSync(path.join(out, 'blobs', 'sha256', row.manifestDigest.slice(7)), 'utf8'));
    const out1 = tempDir();
    const plain = await build([pack], out1);
    expect(manifestOf(out1, plain.rows[0] as BuildRow).annotations).toBeUndefined();
    const out2 = tempDir();
    const epoch = await build([pack], out2, [], { SOURCE_DATE_EPOCH: '1700000000' });
    expect(manifestOf(out2, epoch.rows[0] as BuildRow).annotations).toEqual({
      'org.opencontainers.image.created': '2023-11-14T22:13:20Z',
    });
    expect(epoch.rows[0]?.layerDigest).toBe(plain.rows[0]?.layerDigest);
    const out3 = tempDir();
    const explicit = await build([pack], out3, ['--created', '2024-01-02T03:04:05Z']);
    expect(manifestOf(out3, explicit.rows[0] as BuildRow).annotations).toEqual({
      'org.opencontainers.image.created': '2024-01-02T03:04:05Z',
    });
    const bad = await runCli(['build', pack, '--out', tempDir(), '--created', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"yesterday" is not a date');
  });

  it('excludes VCS and editor junk and honours .packignore', async () => {
    const pack = makePack(
      goodPack({
        '.git/HEAD': 'ref: refs/heads/main\n',
        '.DS_Store': 'junk',
        'manifests/.demo-app.yaml.swp': 'junk',
        'notes~': 'junk',
        '.packignore': 'drafts/\n*.bak\n',
        'drafts/todo.md': 'x',
        'values.yaml.bak': 'x',
        'docs/keep.md': 'kept\n',
      }),
    );
    const { rows } = await build([pack], tempDir());
    const names = tarListing((rows[0] as BuildRow).archive).map((l) => l.split(/\s+/).pop());
    expect(names).toContain('demo-app-1.0.0/docs/keep.md');
    for (const junk of ['.git', '.DS_Store', '.swp', 'notes~', '.packignore', 'drafts', '.bak']) {
      expect(names.some((n) => n?.includes(junk))).toBe(false);
    }
  });

  it('packages an in-pack symlink as a regular file and refuses one that leaves the pack', async () => {
    const pack = makePack(goodPack({ 'docs/real.md': 'real\n' }));
    symlinkSync('real.md', path.join(pack, 'docs/alias.md'));
    const ok = await build([pack], tempDir());
    expect(ok.code).toBe(0);
    const tar = gunzipSync(readFileSync((ok.rows[0] as BuildRow).archive));
    expect(tar.includes(Buffer.from('demo-app-1.0.0/docs/alias.md'))).toBe(true);
    expect(tarListing((ok.rows[0] as BuildRow).archive).find((l) => l.includes('alias.md'))).toMatch(
      /^-rw-r--r--/,
    );

    const outside = makePack({ 'secret.txt': 'do not ship\n' });
    symlinkSync(path.join(outside, 'secret.txt'), path.join(pack, 'docs/leak.md'));
    const out = tempDir();
    const refused = await runCli(['build', pack, '--out', out]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('file/symlink');
    expect(refused.stderr).toContain('refused to build 1 pack');
    expect(existsSync(path.join(out, 'demo-app-1.0.0.tar.gz'))).toBe(false);
    // --force packages it anyway, but still never follows the link out of the pack.
    const forced = await build([pack], tempDir(), ['--force']);
    expect(forced.code).toBe(0);
    expect(
      gunzipSync(readFileSync((forced.rows[0] as BuildRow).archive)).includes(Buffer.from('do not ship')),
    ).toBe(false);
  });

  it('refuses packs with lint errors but builds the clean ones', async () => {
    const root = tempDir();
    makePack(goodPack(), root, 'good');
    makePack(goodPack({ 'pack.json': '{"name": "broken", "version": "1.0.0",}' }), root, 'broken');
    const out = tempDir();
    const res = await runCli(['build', root, '--out', out, '--format', 'json']);
    expect(res.code).toBe(1);
    expect(JSON.parse(res.stdout).map((r: BuildRow) => r.name)).toEqual(['demo-app']);
    expect(res.stderr).toContain('pack-json/syntax');
    expect(readdirSync(out)).toContain('demo-app-1.0.0.tar.gz');
  });

  it('keeps earlier packs in index.json when building into the same folder', async () => {
    const out = tempDir();
    await build([makePack(goodPack())], out);
    const v2 = goodPack({ 'pack.json': String(goodPack()['pack.json']).replace('"1.0.0"', '"1.1.0"') });
    await build([makePack(v2)], out);
    const refs = JSON.parse(readFileSync(path.join(out, 'index.json'), 'utf8')).manifests.map(
      (m: { annotations: Record<string, string> }) => m.annotations['org.opencontainers.image.ref.name'],
    );
    expect(refs).toEqual(['demo-app:1.0.0', 'demo-app:1.1.0']);
  });

  const skopeo = spawnSync('skopeo', ['--version']).status === 0;
  // CI installs skopeo (.ci/run); locally the test is skipped only when it is truly absent.
  it.runIf(skopeo || process.env.CI)('produces a layout skopeo reads and copies byte for byte', async () => {
    const pack = makePack(goodPack());
    const out = tempDir();
    const { rows } = await build([pack], out);
    const row = rows[0] as BuildRow;
    const raw = execFileSync('skopeo', ['inspect', '--raw', `oci:${out}:demo-app:1.0.0`], {
      encoding: 'utf8',
    });
    expect(raw).toBe(readFileSync(path.join(out, 'blobs', 'sha256', row.manifestDigest.slice(7)), 'utf8'));
    const dest = path.join(tempDir(), 'copy');
    execFileSync('skopeo', ['copy', '--quiet', `oci:${out}:demo-app:1.0.0`, `dir:${dest}`]);
    expect(readFileSync(path.join(dest, row.layerDigest.slice(7))).equals(readFileSync(row.archive))).toBe(
      true,
    );
  });
});
