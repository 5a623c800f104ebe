/**
 * Packs as first-class citizens: recognition and re-lint on push, pack.json ↔ repository/tag
 * checks, version immutability. The JSON API and concurrent pushes: registry-packs-api.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPack } from '../../core/build-pack.ts';
import { EMPTY_CONFIG } from '../../core/oci.ts';
import { packContentDigest } from '../../core/pack-identity.ts';
import { readPackTree } from '../../core/pack-tree.ts';
import type { LocalRegistry } from '../../lambdas/local/serve.ts';
import {
  ARCHIVE,
  api,
  build,
  errorOf,
  expectPushed,
  type PackJson,
  packRegistry,
  type VersionJson,
} from '../helpers/pack-suite.ts';
import { ROOT } from '../helpers/packs.ts';
import { basic, oci, READER, sha256, startTestRegistry, TEAM_A, WRITER } from '../helpers/registry.ts';

let reg: LocalRegistry;
let admin: ReturnType<typeof oci>;
let writer: ReturnType<typeof oci>;

beforeAll(async () => {
  ({ reg, admin, writer } = await packRegistry());
});

describe('pack recognition', () => {
  it('accepts a real pack at spectro-packs/archive/<name>:<version> and indexes it', async () => {
    const dir = path.join(ROOT, 'examples', 'packs', 'hello-packyard');
    const pack = await buildPack(readPackTree(dir), 'hello-packyard', '1.0.0');
    const repo = `${ARCHIVE}/hello-packyard`;
    const before = Date.now();
    await expectPushed(await writer.pushPack(repo, pack));

    const got = await writer.req('GET', `/v2/${repo}/manifests/1.0.0`);
    expect(got.headers.get('docker-content-digest')).toBe(pack.manifestDigest);
    expect(Buffer.from(await got.arrayBuffer()).equals(Buffer.from(pack.manifest))).toBe(true);

    const v = await api<VersionJson>(writer, '/api/v1/packs/hello-packyard/versions/1.0.0');
    expect(v).toMatchObject({
      name: 'hello-packyard',
      version: '1.0.0',
      basePath: '',
      repository: repo,
      displayName: 'Hello Packyard',
      layer: 'addon',
      addonType: 'app services',
      cloudTypes: ['all'],
      digest: pack.manifestDigest,
      layerDigest: pack.layerDigest,
      size: pack.archive.length,
      pushedBy: WRITER.username,
      lint: { errors: 0, warnings: 0 },
      // what a client computes from the folder, so it can tell the pack is unchanged
      contentDigest: packContentDigest(readPackTree(dir)),
    });
    expect(new Date(v.pushedAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(v.files.sort()).toEqual(['presets', 'readme', 'schema', 'values']);

    const files: [string, string, RegExp][] = [
      ['values', 'values.yaml', /^application\/yaml/],
      ['readme', 'README.md', /^text\/markdown/],
      ['presets', 'presets.yaml', /^application\/yaml/],
      ['schema', 'schema.yaml', /^application\/yaml/],
    ];
    for (const [file, name, type] of files) {
      const res = await writer.req('GET', `/api/v1/packs/hello-packyard/versions/1.0.0/${file}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(type);
      expect(await res.text()).toBe(readFileSync(path.join(dir, name), 'utf8'));
    }
    await errorOf(
      await writer.req('GET', '/api/v1/packs/hello-packyard/versions/1.0.0/logo'),
      404,
      'UNSUPPORTED',
    );
    await errorOf(
      await writer.req('GET', '/api/v1/packs/hello-packyard/versions/9.9.9/values'),
      404,
      'MANIFEST_UNKNOWN',
    );
  });

  it('answers a file the pack does not have with 404', async () => {
    const pack = await build({ name: 'no-presets', version: '1.0.0' });
    await expectPushed(await writer.pushPack(`${ARCHIVE}/no-presets`, pack));
    await errorOf(
      await writer.req('GET', '/api/v1/packs/no-presets/versions/1.0.0/presets'),
      404,
      'BLOB_UNKNOWN',
    );
    const readme = await writer.req('GET', '/api/v1/packs/no-presets/versions/1.0.0/readme');
    expect(await readme.text()).toBe('# Demo App\n');
  });

  it('serves big pack files: escaping-heavy text inline, over 4 MiB by a redirect to storage', async () => {
    // Quotes and backslashes double in a JSON-encoded Lambda response: the bytes must still fit.
    const heavy = `# Heavy\n${'"\\"\\"\\"\\"\\\n'.repeat(300_000)}`;
    const big = `# Big\n${'a line of a long readme\n'.repeat(220_000)}`;
    expect(big.length).toBeGreaterThan(4 * 1024 * 1024);
    for (const [version, readme, status] of [
      ['1.0.0', heavy, 200],
      ['2.0.0', big, 307],
    ] as const) {
      const pack = await build({ name: 'big-files', version }, { 'README.md': readme });
      await expectPushed(await writer.pushPack(`${ARCHIVE}/big-files`, pack));
      const res = await writer.req('GET', `/api/v1/packs/big-files/versions/${version}/readme`);
      expect(res.status).toBe(status);
      const text =
        status === 200 ? await res.text() : await (await fetch(res.headers.get('location') as string)).text();
      expect(text.length).toBe(readme.length);
      expect(text === readme).toBe(true);
    }
  });

  it('accepts a base path before spectro-packs/ and keeps it apart', async () => {
    const team = oci(reg.url, basic(TEAM_A));
    const pack = await build({ name: 'based', version: '2.0.0', displayName: 'Team A Based' });
    await expectPushed(await team.pushPack(`team-a/${ARCHIVE}/based`, pack));

    const v = await api<VersionJson>(team, '/api/v1/packs/based/versions/2.0.0?base=team-a');
    expect(v).toMatchObject({
      basePath: 'team-a',
      repository: `team-a/${ARCHIVE}/based`,
      displayName: 'Team A Based',
    });
    await errorOf(await admin.req('GET', '/api/v1/packs/based/versions'), 404, 'NAME_UNKNOWN');
    const listed = await api<{ packs: PackJson[] }>(team, '/api/v1/packs?base=team-a');
    expect(listed.packs.map((p) => p.repository)).toEqual([`team-a/${ARCHIVE}/based`]);

    // A team-a credential sees only its own packs in search; a reader sees both.
    const teamAll = await api<{ packs: PackJson[] }>(team, '/api/v1/packs?limit=100');
    expect(teamAll.packs.every((p) => p.repository.startsWith('team-a/'))).toBe(true);
    const readerAll = await api<{ packs: PackJson[] }>(
      oci(reg.url, basic(READER)),
      '/api/v1/packs?limit=100',
    );
    expect(readerAll.packs.map((p) => p.repository)).toEqual(
      expect.arrayContaining([`team-a/${ARCHIVE}/based`, `${ARCHIVE}/hello-packyard`]),
    );
    // And the team cannot push outside its prefix, pack or not.
    const denied = await team.req('POST', `/v2/team-b/${ARCHIVE}/based/blobs/uploads/`);
    expect(denied.status).toBe(403);
  });

  it('lets signatures and SBOMs attach to a pack version through the referrers API', async () => {
    const repo = `${ARCHIVE}/signed`;
    const pack = await build({ name: 'signed', version: '1.0.0' });
    await expectPushed(await writer.pushPack(repo, pack));
    const empty = await writer.pushBlob(repo, '{}');
    const sig = await writer.pushBlob(repo, 'a signature');
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', ...empty },
      layers: [{ mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', ...sig }],
      subject: {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: pack.manifestDigest,
        size: pack.manifest.length,
      },
    });
    const put = await writer.putManifest(repo, sha256(manifest), manifest);
    expect(put.status, await put.clone().text()).toBe(201);
    expect(put.headers.get('oci-subject')).toBe(pack.manifestDigest);
    const list = await api<{ manifests: { digest: string; artifactType: string }[] }>(
      writer,
      `/v2/${repo}/referrers/${pack.manifestDigest}`,
    );
    expect(list.manifests).toEqual([
      expect.objectContaining({
        digest: sha256(manifest),
        artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      }),
    ]);
    // The attachment is not a version.
    const versions = await api<{ versions: VersionJson[] }>(writer, '/api/v1/packs/signed/versions');
    expect(versions.versions.map((v) => v.version)).toEqual(['1.0.0']);
  });

  it('refuses a pack with lint errors, with the findings in detail', async () => {
    const pack = await build({ name: 'broken', version: '1.0.0' }, { 'manifests/demo-app.yaml': undefined });
    const err = await errorOf(await writer.pushPack(`${ARCHIVE}/broken`, pack), 400, 'MANIFEST_INVALID');
    expect(err.message).toMatch(/fails lint with 1 error/);
    expect(err.message).toContain('manifests/demo-app.yaml');
    const findings = (err.detail as { findings: { rule: string; severity: string; message: string }[] })
      .findings;
    expect(findings).toEqual([
      expect.objectContaining({ rule: 'manifest/missing', severity: 'error', file: 'pack.json' }),
    ]);
    await errorOf(await writer.req('GET', `/v2/${ARCHIVE}/broken/manifests/1.0.0`), 404, 'MANIFEST_UNKNOWN');
    await errorOf(await writer.req('GET', '/api/v1/packs/broken/versions'), 404, 'NAME_UNKNOWN');
  });

  it('accepts a pack with lint errors under lintPolicy "warn", recording them', async () => {
    const lenient = await startTestRegistry({ config: { lintPolicy: 'warn' } });
    const client = oci(lenient.url, basic(WRITER));
    const pack = await build({ name: 'broken', version: '1.0.0' }, { 'manifests/demo-app.yaml': undefined });
    await expectPushed(await client.pushPack(`${ARCHIVE}/broken`, pack));
    const v = await api<VersionJson>(client, '/api/v1/packs/broken/versions/1.0.0');
    expect(v.lint).toEqual({ errors: 1, warnings: 0 });
    expect(v.digest).toBe(pack.manifestDigest);
  });

  it('refuses a pack whose pack.json name or version does not match repository and tag', async () => {
    const pack = await build({ name: 'named-right', version: '1.0.0' });
    const wrongName = await errorOf(
      await writer.pushPack(`${ARCHIVE}/named-wrong`, pack),
      400,
      'MANIFEST_INVALID',
    );
    expect(wrongName.message).toContain('"named-right"');
    expect(wrongName.message).toContain('"named-wrong"');
    const wrongVersion = await errorOf(
      await writer.pushPack(`${ARCHIVE}/named-right`, pack, '1.0.1'),
      400,
      'MANIFEST_INVALID',
    );
    expect(wrongVersion.message).toContain('"1.0.1"');
    expect(wrongVersion.message).toContain('"1.0.0"');
    await errorOf(await writer.req('GET', '/api/v1/packs/named-right/versions'), 404, 'NAME_UNKNOWN');
    await errorOf(await writer.req('GET', '/api/v1/packs/named-wrong/versions'), 404, 'NAME_UNKNOWN');
  });

  it('refuses manifests that are not packs in a pack repository', async () => {
    const repo = `${ARCHIVE}/not-a-pack`;
    const config = await writer.pushBlob(repo, EMPTY_CONFIG);
    const junk = await writer.pushBlob(repo, 'this is not a gzip archive');
    const manifest = (layers: unknown[]) =>
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.unknown.config.v1+json', ...config },
        layers,
      });
    const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar', ...junk };
    const notArchive = await errorOf(
      await writer.putManifest(repo, '1.0.0', manifest([layer])),
      400,
      'MANIFEST_INVALID',
    );
    expect(notArchive.message).toContain('is not a pack archive');
    const noLayer = await errorOf(
      await writer.putManifest(repo, '1.0.0', manifest([])),
      400,
      'MANIFEST_INVALID',
    );
    expect(noLayer.message).toContain('needs one layer');
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [],
    });
    await errorOf(
      await writer.putManifest(repo, '1.0.0', index, 'application/vnd.oci.image.index.v1+json'),
      400,
      'MANIFEST_INVALID',
    );
  });
});

describe('immutability', () => {
  it('accepts the same digest again and refuses other content with 409 naming both digests', async () => {
    const repo = `${ARCHIVE}/immutable`;
    const first = await build({ name: 'immutable', version: '1.0.0' });
    await expectPushed(await writer.pushPack(repo, first));
    await expectPushed(await writer.pushPack(repo, first)); // an idempotent retry
    await expectPushed(
      await writer.putManifest(repo, first.manifestDigest, Buffer.from(first.manifest).toString()),
    );

    const second = await build({ name: 'immutable', version: '1.0.0' }, { 'README.md': '# Changed\n' });
    expect(second.manifestDigest).not.toBe(first.manifestDigest);
    const err = await errorOf(await writer.pushPack(repo, second), 409, 'DENIED');
    expect(err.message).toContain(first.manifestDigest);
    expect(err.message).toContain(second.manifestDigest);
    expect(err.message).toContain('immutable');
    expect(err.detail).toEqual({ existing: first.manifestDigest, pushed: second.manifestDigest });
    // Admins are bound too.
    await errorOf(await admin.pushPack(repo, second), 409, 'DENIED');
    // Nothing of the refused push is stored.
    await errorOf(
      await writer.req('GET', `/v2/${repo}/manifests/${second.manifestDigest}`),
      404,
      'MANIFEST_UNKNOWN',
    );

    const got = await writer.req('GET', `/v2/${repo}/manifests/1.0.0`);
    expect(got.headers.get('docker-content-digest')).toBe(first.manifestDigest);
    expect(Buffer.from(await got.arrayBuffer()).equals(Buffer.from(first.manifest))).toBe(true);
    const v = await api<VersionJson>(writer, '/api/v1/packs/immutable/versions/1.0.0');
    expect(v.digest).toBe(first.manifestDigest);
    expect(await (await writer.req('GET', '/api/v1/packs/immutable/versions/1.0.0/readme')).text()).toBe(
      '# Demo App\n',
    );
    const versions = await api<{ versions: VersionJson[] }>(writer, '/api/v1/packs/immutable/versions');
    expect(versions.versions.map((x) => x.version)).toEqual(['1.0.0']);
  });

  it('lets `latest` move between published versions, never to unpublished content', async () => {
    const repo = `${ARCHIVE}/floating`;
    const v1 = await build({ name: 'floating', version: '1.0.0' });
    const v2 = await build({ name: 'floating', version: '1.1.0' });
    await expectPushed(await writer.pushPack(repo, v1));
    await expectPushed(await writer.pushPack(repo, v2));
    await expectPushed(await writer.pushPack(repo, v1, 'latest'));
    expect(
      (await writer.req('GET', `/v2/${repo}/manifests/latest`)).headers.get('docker-content-digest'),
    ).toBe(v1.manifestDigest);
    await expectPushed(await writer.pushPack(repo, v2, 'latest'));
    expect(
      (await writer.req('GET', `/v2/${repo}/manifests/latest`)).headers.get('docker-content-digest'),
    ).toBe(v2.manifestDigest);
    const unpublished = await build({ name: 'floating', version: '1.2.0' });
    const err = await errorOf(await writer.pushPack(repo, unpublished, 'latest'), 400, 'MANIFEST_INVALID');
    expect(err.message).toContain('push the version tag first');
    const versions = await api<{ versions: VersionJson[] }>(writer, '/api/v1/packs/floating/versions');
    expect(versions.versions.map((x) => x.version)).toEqual(['1.1.0', '1.0.0']);
    const tags = await api<{ tags: string[] }>(writer, `/v2/${repo}/tags/list`);
    expect(tags.tags).toEqual(['1.0.0', '1.1.0', 'latest']);

    // An admin may delete a version; the summary falls back to the newest remaining one.
    expect((await admin.req('DELETE', `/v2/${repo}/manifests/1.1.0`)).status).toBe(202);
    await errorOf(await writer.req('GET', '/api/v1/packs/floating/versions/1.1.0'), 404, 'MANIFEST_UNKNOWN');
    const summary = await api<{ packs: PackJson[] }>(writer, '/api/v1/packs?prefix=floating');
    expect(summary.packs.map((p) => p.latestVersion)).toEqual(['1.0.0']);
  });
});
