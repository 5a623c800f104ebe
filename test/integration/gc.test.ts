import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_CONFIG } from '../../core/oci.ts';
import type { LocalRegistry } from '../../lambdas/local/serve.ts';
import { type GcReport, runGc } from '../../lambdas/registry/gc/run.ts';
import { gcDeps } from '../../lambdas/registry/gc/wiring.ts';
import { tempDir } from '../helpers/packs.ts';
import { namedPack } from '../helpers/publish.ts';
import { ADMIN, basic, buildTestPack, oci, sha256, startTestRegistry } from '../helpers/registry.ts';
import { s3Objects, totalBytes } from '../helpers/s3-store.ts';

const ARCHIVE = 'spectro-packs/archive';
const hex = (d: string) => d.slice('sha256:'.length);

let reg: LocalRegistry;
let dataDir: string;
let admin: ReturnType<typeof oci>;

beforeAll(async () => {
  dataDir = tempDir('gc-');
  reg = await startTestRegistry({ dataDir });
  admin = oci(reg.url, basic(ADMIN));
});
afterAll(async () => reg.close());

function gc(opts: { dryRun?: boolean; graceMs?: number; fenceMs?: number } = {}): Promise<GcReport> {
  const s = reg.storage;
  return runGc(gcDeps(s.blobStore, s.index, s.dynamodb.client, s.dynamodb.table), {
    dryRun: opts.dryRun ?? false,
    timing: { graceMs: opts.graceMs ?? 0, fenceMs: opts.fenceMs ?? 0 },
    retention: [],
    deadline: Date.now() + 60_000,
  });
}

/** Two runs with a zero fence: the first condemns, the second deletes. */
async function collect(): Promise<GcReport[]> {
  const first = await gc();
  await new Promise((r) => setTimeout(r, 5));
  return [first, await gc()];
}

async function pullWorks(repo: string, tag: string): Promise<void> {
  const res = await admin.req('GET', `/v2/${repo}/manifests/${tag}`);
  expect(res.status).toBe(200);
  const manifest = (await res.json()) as { layers: { digest: string }[]; config: { digest: string } };
  for (const d of [manifest.config.digest, ...manifest.layers.map((l) => l.digest)]) {
    const blob = await admin.req('GET', `/v2/${repo}/blobs/${d}`);
    expect(blob.status).toBe(307);
    const bytes = new Uint8Array(await (await fetch(blob.headers.get('location') as string)).arrayBuffer());
    expect(sha256(bytes)).toBe(d);
  }
}

describe('garbage collection (s3rver + dynalite, the store checked on disk)', () => {
  it('frees exactly the unreferenced objects and keeps every tagged version pullable', async () => {
    const repo = `${ARCHIVE}/gc-app`;
    const v1 = await buildTestPack(namedPack('gc-app', '1.0.0'), 'gc-app', '1.0.0');
    const v2 = await buildTestPack(
      namedPack('gc-app', '1.1.0', { 'values.yaml': 'pack:\n  namespace: gc-app\nreplicas: 2\n' }),
      'gc-app',
      '1.1.0',
    );
    expect((await admin.pushPack(repo, v1)).status).toBe(201);
    expect((await admin.pushPack(repo, v2)).status).toBe(201);
    // An upload nothing references, in another repository.
    const orphan = await admin.pushBlob('scratch/tmp', Buffer.alloc(50_000, 7));
    const v1Manifest = sha256(v1.manifest);
    // Delete v1 by digest: its tag and manifest go; bytes stay for GC.
    expect((await admin.req('DELETE', `/v2/${repo}/manifests/${v1Manifest}`)).status).toBe(202);

    const before = s3Objects(dataDir);
    expect(before.has(`blobs/sha256/${hex(sha256(v1.archive))}`)).toBe(true);
    expect(before.has(`blobs/sha256/${hex(orphan.digest)}`)).toBe(true);

    const dry = await gc({ dryRun: true });
    expect(dry.condemned.blobs).toBe(2); // v1's archive and the orphan; `{}` is shared with v2
    expect(s3Objects(dataDir)).toEqual(before); // a dry run changes nothing

    const [first, second] = await collect();
    expect(first?.condemned.blobs).toBe(2);
    expect(second?.freed.blobs).toBe(2);
    expect(second?.freed.packFiles).toBe(1);

    const after = s3Objects(dataDir);
    const gone = [...before.keys()].filter((k) => !after.has(k)).sort();
    expect(gone).toEqual(
      [
        `blobs/sha256/${hex(sha256(v1.archive))}`,
        `blobs/sha256/${hex(orphan.digest)}`,
        ...[...before.keys()].filter((k) => k.startsWith(`packs/${hex(v1Manifest)}/`)),
      ].sort(),
    );
    expect(second?.freed.bytes).toBe(totalBytes(before) - totalBytes(after));
    await pullWorks(repo, '1.1.0');
    // The freed blob is unknown to the API too (its link went before its object).
    expect((await admin.req('HEAD', `/v2/scratch/tmp/blobs/${orphan.digest}`)).status).toBe(404);
    // A third run finds nothing.
    const third = await gc();
    expect(third.freed.blobs + third.condemned.blobs + third.freed.manifests).toBe(0);
  });

  it('keeps what a push references while it is condemned, and fresh uploads inside the grace', async () => {
    const repo = `${ARCHIVE}/gc-race`;
    const pack = await buildTestPack(namedPack('gc-race', '2.0.0'), 'gc-race', '2.0.0');
    // The client uploads its blobs, then (later) the manifest: GC runs in between.
    await admin.pushBlob(repo, EMPTY_CONFIG);
    await admin.pushBlob(repo, pack.archive);
    const graced = await gc({ graceMs: 3600_000 });
    expect(graced.condemned.blobs).toBe(0); // inside the grace period: untouched
    const first = await gc();
    expect(first.condemned.blobs).toBeGreaterThanOrEqual(1);
    const rec = await reg.storage.index.getBlob(sha256(pack.archive));
    expect(rec?.gcState).toBe('condemned');
    // The push arrives after the condemnation: it revives the blobs it references.
    expect((await admin.putManifest(repo, '2.0.0', Buffer.from(pack.manifest).toString('utf8'))).status).toBe(
      201,
    );
    expect((await reg.storage.index.getBlob(sha256(pack.archive)))?.gcState).toBeUndefined();
    const second = await gc();
    expect(second.freed.blobs).toBe(0);
    expect(s3Objects(dataDir).has(`blobs/sha256/${hex(sha256(pack.archive))}`)).toBe(true);
    await pullWorks(repo, '2.0.0');
  });

  it('refuses to reuse a blob while it is being deleted, and accepts it again afterwards', async () => {
    const bytes = Buffer.from('gc: deleting state');
    const b = await admin.pushBlob('scratch/deleting', bytes);
    await gc(); // condemn
    const rec = await reg.storage.index.getBlob(b.digest);
    expect(rec?.gcState).toBe('condemned');
    const { DynamoGcIndex } = await import('../../lambdas/registry/adapters/dynamo-gc-index.ts');
    const g = new DynamoGcIndex(reg.storage.dynamodb.client, reg.storage.dynamodb.table);
    expect(await g.markBlobDeleting(b.digest, rec?.gcAt as string)).toBe(true);
    // A re-upload now is refused with a retryable 503; the bytes are not rewritten under the collector.
    const refused = await admin.req('POST', `/v2/scratch/deleting/blobs/uploads/?digest=${b.digest}`, {
      body: bytes,
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('30');
    const resumed = await gc(); // finishes the deletion it finds in `deleting`
    expect(resumed.freed.blobs).toBeGreaterThanOrEqual(1);
    expect(s3Objects(dataDir).has(`blobs/sha256/${hex(b.digest)}`)).toBe(false);
    await admin.pushBlob('scratch/deleting', bytes);
    expect(s3Objects(dataDir).has(`blobs/sha256/${hex(b.digest)}`)).toBe(true);
  });
});
