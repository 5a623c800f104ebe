import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRegistry } from '../../lambdas/local/serve.ts';
import type { RetentionRule } from '../../lambdas/registry/gc/retention.ts';
import { runGc } from '../../lambdas/registry/gc/run.ts';
import { gcDeps } from '../../lambdas/registry/gc/wiring.ts';
import { expectDocumented } from '../helpers/openapi.ts';
import { tempDir } from '../helpers/packs.ts';
import { namedPack } from '../helpers/publish.ts';
import { ADMIN, basic, buildTestPack, oci, READER, startTestRegistry, WRITER } from '../helpers/registry.ts';
import { s3Objects } from '../helpers/s3-store.ts';

const ARCHIVE = 'spectro-packs/archive';
let reg: LocalRegistry;
let dataDir: string;
let admin: ReturnType<typeof oci>;

beforeAll(async () => {
  dataDir = tempDir('yank-');
  reg = await startTestRegistry({ dataDir });
  admin = oci(reg.url, basic(ADMIN));
});
afterAll(async () => reg.close());

async function publish(name: string, versions: string[]): Promise<void> {
  for (const v of versions) {
    const pack = await buildTestPack(
      namedPack(name, v, { 'values.yaml': `pack:\n  namespace: ${name}\nversion: "${v}"\n` }),
      name,
      v,
    );
    const res = await admin.pushPack(`${ARCHIVE}/${name}`, pack);
    expect(res.status).toBe(201);
  }
}

const tags = async (repo: string, q = '') =>
  ((await (await admin.req('GET', `/v2/${repo}/tags/list${q}`)).json()) as { tags: string[] }).tags;

describe('yank', () => {
  it('hides a version from tags/list, the pack API and latest; it still pulls; undo lists it again', async () => {
    await publish('yanky', ['1.0.0', '1.1.0', '1.2.0']);
    const repo = `${ARCHIVE}/yanky`;
    const yank = (user: { username: string; password: string }, method = 'PUT', body?: unknown) =>
      fetch(`${reg.url}/api/v1/packs/yanky/versions/1.2.0/yank`, {
        method,
        headers: { authorization: basic(user), 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    expect((await yank(READER)).status).toBe(403);
    expect((await yank(WRITER)).status).toBe(403);
    const done = await yank(ADMIN, 'PUT', { reason: 'CVE-2026-0001' });
    expect(done.status).toBe(200);
    const yanked = (await done.json()) as { yanked: { reason: string } };
    expect(yanked.yanked.reason).toBe('CVE-2026-0001');
    expectDocumented('#/components/schemas/PackVersion', yanked);

    expect(await tags(repo)).toEqual(['1.0.0', '1.1.0']);
    // Pagination stays exact with a hidden tag in the middle of a page boundary.
    expect(await tags(repo, '?n=1&last=1.0.0')).toEqual(['1.1.0']);
    const versions = (await (await admin.req('GET', '/api/v1/packs/yanky/versions')).json()) as {
      versions: { version: string }[];
    };
    expect(versions.versions.map((v) => v.version)).toEqual(['1.1.0', '1.0.0']);
    const withYanked = (await (
      await admin.req('GET', '/api/v1/packs/yanky/versions?yanked=true')
    ).json()) as {
      versions: { version: string; yanked: unknown }[];
    };
    expect(withYanked.versions[0]?.version).toBe('1.2.0');
    expect(withYanked.versions[0]?.yanked).toMatchObject({ by: 'admin', reason: 'CVE-2026-0001' });
    for (const v of withYanked.versions) expectDocumented('#/components/schemas/PackVersion', v);
    const search = (await (await admin.req('GET', '/api/v1/packs?prefix=yanky')).json()) as {
      packs: { latestVersion: string }[];
    };
    expect(search.packs[0]?.latestVersion).toBe('1.1.0');
    // Still pullable by exact tag and digest.
    const byTag = await admin.req('GET', `/v2/${repo}/manifests/1.2.0`);
    expect(byTag.status).toBe(200);
    const digest = byTag.headers.get('docker-content-digest') as string;
    expect((await admin.req('GET', `/v2/${repo}/manifests/${digest}`)).status).toBe(200);
    expect((await admin.req('GET', '/api/v1/packs/yanky/versions/1.2.0')).status).toBe(200);
    // The immutable tag is still taken: a different 1.2.0 cannot be pushed under it.
    const other = await buildTestPack(
      namedPack('yanky', '1.2.0', { 'values.yaml': 'pack:\n  namespace: other\n' }),
      'yanky',
      '1.2.0',
    );
    expect((await admin.pushPack(repo, other)).status).toBe(409);

    expect((await yank(ADMIN, 'DELETE')).status).toBe(200);
    expect(await tags(repo)).toEqual(['1.0.0', '1.1.0', '1.2.0']);
    const again = (await (await admin.req('GET', '/api/v1/packs?prefix=yanky')).json()) as {
      packs: { latestVersion: string }[];
    };
    expect(again.packs[0]?.latestVersion).toBe('1.2.0');
    expect(
      (
        await fetch(`${reg.url}/api/v1/packs/yanky/versions/9.9.9/yank`, {
          method: 'PUT',
          headers: { authorization: basic(ADMIN) },
        })
      ).status,
    ).toBe(404);
  });
});

describe('retention (evaluated by the GC job)', () => {
  const run = (retention: RetentionRule[], dryRun: boolean) => {
    const s = reg.storage;
    return runGc(gcDeps(s.blobStore, s.index, s.dynamodb.client, s.dynamodb.table), {
      dryRun,
      timing: { graceMs: 0, fenceMs: 0 },
      retention,
      deadline: Date.now() + 60_000,
    });
  };

  it('keeps the newest N plus protected tags, dry run first, then frees the retired bytes', async () => {
    await publish('kept', ['1.0.0', '1.2.0', '1.10.0', '2.0.0-rc.1', '2.0.0']);
    await publish('other', ['0.1.0', '0.2.0']);
    const repo = `${ARCHIVE}/kept`;
    // A floating tag on 1.0.0, protected.
    const m = await admin.req('GET', `/v2/${repo}/manifests/1.0.0`);
    expect((await admin.putManifest(repo, 'stable', await m.text())).status).toBe(201);
    const rules: RetentionRule[] = [
      { prefix: `${ARCHIVE}/kept`, keepLast: 2, protectTags: ['stable'] },
      { prefix: `${ARCHIVE}/nothing-matches`, keepLast: 1 },
    ];
    const dry = await run(rules, true);
    expect(dry.retired.map((v) => v.version).sort()).toEqual(['1.10.0', '1.2.0']);
    expect(await tags(repo)).toEqual(['1.0.0', '1.10.0', '1.2.0', '2.0.0', '2.0.0-rc.1', 'stable']);

    const before = s3Objects(dataDir);
    const first = await run(rules, false);
    expect(first.retired.map((v) => v.version).sort()).toEqual(['1.10.0', '1.2.0']);
    expect(await tags(repo)).toEqual(['1.0.0', '2.0.0', '2.0.0-rc.1', 'stable']);
    expect(await tags(`${ARCHIVE}/other`)).toEqual(['0.1.0', '0.2.0']);
    const second = await run(rules, false);
    expect(second.retired).toEqual([]);
    expect(second.freed.blobs).toBeGreaterThanOrEqual(2);
    const after = s3Objects(dataDir);
    const freed = [...before].filter(([k]) => !after.has(k)).reduce((n, [, s]) => n + s, 0);
    expect(freed).toBeGreaterThan(0);
    for (const v of ['1.0.0', '2.0.0', '2.0.0-rc.1'])
      expect((await admin.req('GET', `/v2/${repo}/manifests/${v}`)).status).toBe(200);
  });

  it('measured: 12 versions with 100 KB READMEs, keep the newest 3, frees exactly the retired archives and files', async () => {
    const { randomBytes } = await import('node:crypto');
    const { sha256 } = await import('../helpers/registry.ts');
    const name = 'measure';
    const repo = `${ARCHIVE}/${name}`;
    const archives = new Map<string, { archive: string; manifest: string }>();
    for (let i = 1; i <= 12; i++) {
      const v = `1.${i}.0`;
      const pack = await buildTestPack(
        namedPack(name, v, { 'README.md': `# ${name} ${v}\n\n${randomBytes(75_000).toString('base64')}\n` }),
        name,
        v,
      );
      expect((await admin.pushPack(repo, pack)).status).toBe(201);
      archives.set(v, { archive: sha256(pack.archive).slice(7), manifest: sha256(pack.manifest).slice(7) });
    }
    const before = s3Objects(dataDir);
    const rules: RetentionRule[] = [{ prefix: repo, keepLast: 3 }];
    const first = await run(rules, false);
    expect(first.retired).toHaveLength(9);
    const second = await run(rules, false);
    const after = s3Objects(dataDir);
    const retired = [...archives].filter(([v]) => !['1.10.0', '1.11.0', '1.12.0'].includes(v));
    const expected = [...before.keys()].filter((k) =>
      retired.some(([, d]) => k === `blobs/sha256/${d.archive}` || k.startsWith(`packs/${d.manifest}/`)),
    );
    const gone = [...before.keys()].filter((k) => !after.has(k));
    expect(gone.sort()).toEqual(expected.sort());
    const freed = gone.reduce((n, k) => n + (before.get(k) ?? 0), 0);
    expect(second.freed.bytes).toBe(freed);
    const stored = (m: Map<string, number>) =>
      [...m].filter(([k]) => !k.startsWith('gc/')).reduce((n, [, b]) => n + b, 0);
    console.log(
      `retention scenario: ${gone.length} objects freed, ${freed} bytes; bucket ${stored(before)} → ${stored(after)} bytes`,
    );
    for (const v of ['1.10.0', '1.11.0', '1.12.0'])
      expect((await admin.req('GET', `/v2/${repo}/manifests/${v}`)).status).toBe(200);
  }, 120_000);
});
