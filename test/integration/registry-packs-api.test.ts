/**
 * Packs through the JSON API (search, versions, files, lookup), and concurrent pushes of one new
 * version, through the real stack.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { BuiltPack } from '../../core/build-pack.ts';
import { EMPTY_CONFIG } from '../../core/oci.ts';
import type { LocalRegistry } from '../../lambdas/local/serve.ts';
import {
  ARCHIVE,
  api,
  build,
  errorOf,
  expectPushed,
  type PackJson,
  type PackMeta,
  packRegistry,
  type VersionJson,
} from '../helpers/pack-suite.ts';
import { basic, oci, sha256, TEAM_A } from '../helpers/registry.ts';

let reg: LocalRegistry;
let writer: ReturnType<typeof oci>;

beforeAll(async () => {
  ({ reg, writer } = await packRegistry());
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
