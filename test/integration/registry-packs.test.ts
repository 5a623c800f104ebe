/**
 * Packs as first-class citizens: recognition and re-lint on push, pack.json ↔ repository/tag
 * checks, the JSON API, version immutability, and concurrent pushes of one version.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BuiltPack } from '../../core/build-pack.ts';
import { buildPack } from '../../core/build-pack.ts';
import { EMPTY_CONFIG } from '../../core/oci.ts';
import { packContentDigest } from '../../core/pack-identity.ts';
import { readPackTree } from '../../core/pack-tree.ts';
import type { LocalRegistry } from '../../lambdas/local/serve.ts';
import { goodPack, type PackFiles, ROOT } from '../helpers/packs.ts';
import {
  ADMIN,
  basic,
  buildTestPack,
  oci,
  READER,
  sha256,
  startTestRegistry,
  TEAM_A,
  WRITER,
} from '../helpers/registry.ts';

const ARCHIVE = 'spectro-packs/archive';

let reg: LocalRegistry;
let admin: ReturnType<typeof oci>;
let writer: ReturnType<typeof oci>;

beforeAll(async () => {
  reg = await startTestRegistry();
  admin = oci(reg.url, basic(ADMIN));
  writer = oci(reg.url, basic(WRITER));
});

interface PackMeta {
  name: string;
  version: string;
  layer?: string;
  addonType?: string;
  cloudTypes?: string[];
  displayName?: string;
}

/** goodPack() with pack.json set from `meta`; other files overridable. */
function packFiles(meta: PackMeta, over: Record<string, string | undefined> = {}): PackFiles {
  const packJson: Record<string, unknown> = {
    name: meta.name,
    displayName: meta.displayName ?? meta.name,
    version: meta.version,
    layer: meta.layer ?? 'addon',
    cloudTypes: meta.cloudTypes ?? ['all'],
    kubeManifests: ['manifests/demo-app.yaml'],
  };
  if ((meta.layer ?? 'addon') === 'addon') packJson.addonType = meta.addonType ?? 'app services';
  return goodPack({ 'pack.json': JSON.stringify(packJson, null, 2), ...over });
}

const build = (meta: PackMeta, over: Record<string, string | undefined> = {}) =>
  buildTestPack(packFiles(meta, over), meta.name, meta.version);

async function expectPushed(res: Response): Promise<void> {
  expect(res.status, await res.clone().text()).toBe(201);
}

async function errorOf(res: Response, status: number, code: string) {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  const err = (JSON.parse(text) as { errors: { code: string; message: string; detail?: unknown }[] })
    .errors[0];
  expect(err?.code).toBe(code);
  return err as { code: string; message: string; detail?: unknown };
}

async function api<T>(client: ReturnType<typeof oci>, p: string): Promise<T> {
  const res = await client.req('GET', p);
  expect(res.status, `${p}: ${await res.clone().text()}`).toBe(200);
  return (await res.json()) as T;
}

interface VersionJson {
  name: string;
  version: string;
  basePath: string;
  repository: string;
  displayName: string;
  layer: string;
  addonType: string | null;
  cloudTypes: string[];
  digest: string;
  layerDigest: string;
  size: number;
  pushedAt: string;
  pushedBy: string;
  lint: { errors: number; warnings: number };
  files: string[];
}
interface PackJson {
  name: string;
  basePath: string;
  repository: string;
  latestVersion: string;
  layer: string;
  addonType: string | null;
  cloudTypes: string[];
}

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
    expect(v.files.sort()).toEqual(['logo', 'pack', 'presets', 'readme', 'schema', 'values']);

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
    const logo = await writer.req('GET', '/api/v1/packs/hello-packyard/versions/1.0.0/logo');
    expect(logo.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await logo.arrayBuffer()).equals(readFileSync(path.join(dir, 'logo.png')))).toBe(true);
    await errorOf(
      await writer.req('GET', '/api/v1/packs/hello-packyard/versions/1.0.0/chart'),
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

describe('JSON API', () => {
  beforeAll(async () => {
    const packs: PackMeta[] = [
      { name: 'search-alpha', version: '1.0.0', cloudTypes: ['aws', 'azure'], addonType: 'monitoring' },
      { name: 'search-beta', version: '0.1.0', cloudTypes: ['aws'], addonType: 'logging' },
      { name: 'search-gamma', version: '3.0.0', layer: 'cni', cloudTypes: ['all'] },
      { name: 'search-delta', version: '1.0.0', layer: 'csi', cloudTypes: ['vsphere', 'aws'] },
      { name: 'search-epsilon', version: '2.0.0', cloudTypes: ['edge-native'], addonType: 'monitoring' },
      { name: 'other-zeta', version: '1.0.0', cloudTypes: ['aws'], addonType: 'monitoring' },
    ];
    for (const meta of packs)
      await expectPushed(await writer.pushPack(`${ARCHIVE}/${meta.name}`, await build(meta)));
    for (const version of ['1.9.0', '1.10.0', '1.2.0', '2.0.0-rc.1', '1.10.0-rc.1']) {
      await expectPushed(
        await writer.pushPack(`${ARCHIVE}/semver`, await build({ name: 'semver', version })),
      );
    }
  });

  it('answers /health', async () => {
    const res = await fetch(`${reg.url}/health`);
    expect(await res.json()).toEqual({ status: 'UP' });
  });

  it('lists versions newest first in semver order, paginated', async () => {
    const all = await api<{ versions: VersionJson[]; next: string | null }>(
      writer,
      '/api/v1/packs/semver/versions',
    );
    expect(all.versions.map((v) => v.version)).toEqual([
      '2.0.0-rc.1',
      '1.10.0',
      '1.10.0-rc.1',
      '1.9.0',
      '1.2.0',
    ]);
    expect(all.next).toBeNull();

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { versions: VersionJson[]; next: string | null } = await api(
        writer,
        `/api/v1/packs/semver/versions?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.versions.length).toBeLessThanOrEqual(2);
      seen.push(...page.versions.map((v) => v.version));
      cursor = page.next;
    } while (cursor);
    expect(seen).toEqual(all.versions.map((v) => v.version));

    const summary = await api<{ packs: PackJson[] }>(writer, '/api/v1/packs?prefix=semver');
    expect(summary.packs).toEqual([expect.objectContaining({ name: 'semver', latestVersion: '2.0.0-rc.1' })]);
  });

  it('looks up many versions in one request, in order, null where unpublished or unreadable', async () => {
    const lookup = (client: ReturnType<typeof oci>, body: unknown) =>
      client.req('POST', '/api/v1/packs/lookup', {
        body: typeof body === 'string' ? body : JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
    const asked = [
      { name: 'semver', version: '1.10.0' },
      { name: 'search-alpha', version: '1.0.0' },
      { name: 'search-alpha', version: '9.9.9' },
      { name: 'never-pushed', version: '1.0.0' },
      { name: 'semver', version: '1.10.0' },
    ];
    const res = await lookup(writer, { packs: asked });
    expect(res.status, await res.clone().text()).toBe(200);
    const { versions } = (await res.json()) as { versions: (VersionJson | null)[] };
    expect(versions.map((v) => v && `${v.name}@${v.version}`)).toEqual([
      'semver@1.10.0',
      'search-alpha@1.0.0',
      null,
      null,
      'semver@1.10.0',
    ]);
    // The same record as the single-version endpoint.
    expect(versions[1]).toEqual(await api(writer, '/api/v1/packs/search-alpha/versions/1.0.0'));
    // A credential limited to team-a/ learns nothing about other repositories.
    const team = await lookup(oci(reg.url, basic(TEAM_A)), { packs: asked.slice(0, 2) });
    expect(((await team.json()) as { versions: unknown[] }).versions).toEqual([null, null]);
    // No anonymous pulls on this registry: like search, an anonymous lookup sees nothing.
    const anonymous = await lookup(oci(reg.url), { packs: asked });
    expect(((await anonymous.json()) as { versions: unknown[] }).versions).toEqual(asked.map(() => null));

    await errorOf(await lookup(writer, '{not json'), 400, 'UNSUPPORTED');
    await errorOf(await lookup(writer, { packs: 'semver' }), 400, 'UNSUPPORTED');
    await errorOf(await lookup(writer, { packs: [{ name: 'semver' }] }), 400, 'UNSUPPORTED');
    await errorOf(
      await lookup(writer, { packs: [{ name: 'Bad Name', version: '1.0.0' }] }),
      400,
      'NAME_INVALID',
    );
    const tooMany = Array.from({ length: 101 }, (_, i) => ({ name: `p${i}`, version: '1.0.0' }));
    expect((await errorOf(await lookup(writer, { packs: tooMany }), 400, 'UNSUPPORTED')).message).toContain(
      'at most 100',
    );
    expect((await writer.req('GET', '/api/v1/packs/lookup')).status).toBe(405);
  });

  it('searches by name prefix, layer, addonType and cloudType', async () => {
    const names = async (query: string) =>
      (await api<{ packs: PackJson[] }>(writer, `/api/v1/packs?${query}`)).packs.map((p) => p.name);
    expect(await names('prefix=search-')).toEqual([
      'search-alpha',
      'search-beta',
      'search-delta',
      'search-epsilon',
      'search-gamma',
    ]);
    expect(await names('prefix=search-&layer=cni')).toEqual(['search-gamma']);
    expect(await names('layer=csi')).toEqual(['search-delta']);
    expect(await names('prefix=search-&addonType=monitoring')).toEqual(['search-alpha', 'search-epsilon']);
    expect(await names('addonType=monitoring')).toEqual(['other-zeta', 'search-alpha', 'search-epsilon']);
    expect(await names('cloudType=aws')).toEqual([
      'other-zeta',
      'search-alpha',
      'search-beta',
      'search-delta',
    ]);
    expect(await names('cloudType=aws&addonType=monitoring')).toEqual(['other-zeta', 'search-alpha']);
    expect(await names('cloudType=aws&layer=csi&prefix=search')).toEqual(['search-delta']);
    expect(await names('cloudType=gcp')).toEqual([]);
    expect(await names('prefix=nothing-like-this')).toEqual([]);

    const alpha = (await api<{ packs: PackJson[] }>(writer, '/api/v1/packs?prefix=search-alpha')).packs[0];
    expect(alpha).toMatchObject({
      name: 'search-alpha',
      basePath: '',
      repository: `${ARCHIVE}/search-alpha`,
      latestVersion: '1.0.0',
      layer: 'addon',
      addonType: 'monitoring',
      cloudTypes: ['aws', 'azure'],
    });
  });

  it('paginates search with a cursor until exhaustion', async () => {
    for (const [query, expected] of [
      ['prefix=search-', 5],
      ['cloudType=aws', 4],
      ['prefix=search-&cloudType=aws', 3],
    ] as const) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { packs: PackJson[]; next: string | null } = await api(
          writer,
          `/api/v1/packs?${query}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        expect(page.packs.length).toBeLessThanOrEqual(2);
        seen.push(...page.packs.map((p) => p.name));
        cursor = page.next;
        expect(++pages).toBeLessThan(20);
      } while (cursor);
      expect(seen, query).toHaveLength(expected);
      expect(new Set(seen).size).toBe(expected);
      expect(seen).toEqual([...seen].sort());
    }
  });

  it('answers bad queries with 4xx', async () => {
    await errorOf(await writer.req('GET', '/api/v1/packs?limit=0'), 400, 'UNSUPPORTED');
    await errorOf(await writer.req('GET', '/api/v1/packs?limit=abc'), 400, 'UNSUPPORTED');
    await errorOf(await writer.req('GET', '/api/v1/packs?cursor=garbage'), 400, 'UNSUPPORTED');
    const otherListing = Buffer.from(
      JSON.stringify({ gsi1pk: 'PACKS#LAYER#cni', gsi1sk: 'x', pk: 'REPO#x', sk: 'PACK' }),
    ).toString('base64url');
    await errorOf(await writer.req('GET', `/api/v1/packs?cursor=${otherListing}`), 400, 'UNSUPPORTED');
    const forged = Buffer.from(
      JSON.stringify({ pk: `REPO#${ARCHIVE}/semver`, sk: `VERSION#${'9'.repeat(2000)}` }),
    ).toString('base64url');
    await errorOf(
      await writer.req('GET', `/api/v1/packs/semver/versions?cursor=${forged}`),
      400,
      'UNSUPPORTED',
    );
    await errorOf(await writer.req('GET', '/api/v1/packs/Semver/versions'), 400, 'NAME_INVALID');
    await errorOf(await writer.req('GET', '/api/v1/packs/nothing-here/versions'), 404, 'NAME_UNKNOWN');
    await errorOf(
      await writer.req('GET', `/api/v1/packs/semver/versions/${'9'.repeat(1500)}`),
      404,
      'MANIFEST_UNKNOWN',
    );
    await errorOf(
      await writer.req('GET', '/api/v1/packs/semver/versions/1.0.0%20x'),
      404,
      'MANIFEST_UNKNOWN',
    );
    expect((await fetch(`${reg.url}/api/v1/packs/semver/versions`)).status).toBe(401);
  });
});

describe('concurrent pushes of one new version', () => {
  /** Uploads every blob first, so the race is between the manifest PUTs alone. */
  async function stage(repo: string, packs: BuiltPack[]): Promise<void> {
    await writer.pushBlob(repo, EMPTY_CONFIG);
    const unique = [...new Map(packs.map((p) => [p.layerDigest, p])).values()];
    await Promise.all(unique.map((p) => writer.pushBlob(repo, p.archive)));
  }

  it('50 different contents: exactly one 201, 49 × 409, and the winner stays intact', async () => {
    const repo = `${ARCHIVE}/race`;
    const packs = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        build({ name: 'race', version: '1.0.0' }, { 'README.md': `# Race entrant ${i}\n` }),
      ),
    );
    expect(new Set(packs.map((p) => p.manifestDigest)).size).toBe(50);
    await stage(repo, packs);

    const results = await Promise.all(
      packs.map(async (p) => {
        const res = await writer.putManifest(repo, '1.0.0', Buffer.from(p.manifest).toString());
        return { pack: p, status: res.status, body: await res.text() };
      }),
    );
    const winners = results.filter((r) => r.status === 201);
    const losers = results.filter((r) => r.status !== 201);
    expect(winners, JSON.stringify(losers.filter((l) => l.status !== 409).slice(0, 3))).toHaveLength(1);
    expect(losers.map((l) => l.status)).toEqual(Array(49).fill(409));
    const winner = (winners[0] as (typeof results)[number]).pack;
    for (const l of losers) {
      const err = (JSON.parse(l.body) as { errors: { code: string; detail: unknown }[] }).errors[0];
      expect(err?.code).toBe('DENIED');
      expect(err?.detail).toEqual({ existing: winner.manifestDigest, pushed: l.pack.manifestDigest });
    }

    const got = await writer.req('GET', `/v2/${repo}/manifests/1.0.0`);
    expect(got.headers.get('docker-content-digest')).toBe(winner.manifestDigest);
    expect(Buffer.from(await got.arrayBuffer()).equals(Buffer.from(winner.manifest))).toBe(true);
    const v = await api<VersionJson>(writer, '/api/v1/packs/race/versions/1.0.0');
    expect(v.digest).toBe(winner.manifestDigest);
    expect(v.layerDigest).toBe(winner.layerDigest);
    const readme = await (await writer.req('GET', '/api/v1/packs/race/versions/1.0.0/readme')).text();
    expect(readme).toBe(`# Race entrant ${packs.indexOf(winner)}\n`);
    const versions = await api<{ versions: VersionJson[] }>(writer, '/api/v1/packs/race/versions');
    expect(versions.versions.map((x) => x.digest)).toEqual([winner.manifestDigest]);
    const layer = await writer.req('GET', `/v2/${repo}/blobs/${winner.layerDigest}`);
    const bytes = Buffer.from(await (await fetch(layer.headers.get('location') as string)).arrayBuffer());
    expect(sha256(bytes)).toBe(winner.layerDigest);
  });

  it('50 identical contents: all 201, one version', async () => {
    const repo = `${ARCHIVE}/same`;
    const pack = await build({ name: 'same', version: '1.0.0' });
    await stage(repo, [pack]);
    const statuses = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const res = await writer.putManifest(repo, '1.0.0', Buffer.from(pack.manifest).toString());
        return `${res.status} ${res.status === 201 ? '' : await res.text()}`.trim();
      }),
    );
    expect(statuses).toEqual(Array(50).fill('201'));
    const versions = await api<{ versions: VersionJson[] }>(writer, '/api/v1/packs/same/versions');
    expect(versions.versions).toHaveLength(1);
    expect(versions.versions[0]?.digest).toBe(pack.manifestDigest);
    const summary = await api<{ packs: PackJson[] }>(writer, '/api/v1/packs?prefix=same');
    expect(summary.packs).toEqual([expect.objectContaining({ name: 'same', latestVersion: '1.0.0' })]);
    const tags = await api<{ tags: string[] }>(writer, `/v2/${repo}/tags/list`);
    expect(tags.tags).toEqual(['1.0.0']);
  });
});
