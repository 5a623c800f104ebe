/**
 * The storage adapters on s3rver and dynalite, through the real AWS SDK clients: the S3 blob
 * store, the pack items of the DynamoDB index, and the embedded storage itself (the other index
 * families: storage-index.test.ts, storage-publishers.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Digest as sha256 } from '../../core/oci.ts';
import { versionSortKey } from '../../core/version.ts';
import { type EmbeddedStorage, startEmbeddedStorage } from '../../lambdas/local/embedded-storage.ts';
import { createS3Client } from '../../lambdas/registry/adapters/clients.ts';
import { InvalidCursorError } from '../../lambdas/registry/adapters/dynamo/items.ts';
import { S3BlobStore } from '../../lambdas/registry/adapters/s3-blob-store.ts';
import {
  BlobTooLargeError,
  ConflictError,
  NotFoundError,
  type PackSummaryRecord,
  type PackVersionRecord,
  type RegistryIndex,
} from '../../lambdas/registry/ports.ts';
import { ITEM_COMMANDS, record } from '../helpers/storage.ts';

// The SDK warns once per process that it will drop Node 20; these tests run on Node 20 on purpose.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const MiB = 1024 * 1024;
const NOW = '2025-01-01T00:00:00.000Z';

let dataDir: string;
let storage: EmbeddedStorage;
let index: RegistryIndex;
/** Every DynamoDB command the index sent (to prove: no Scan, no transactions). */
const dynamoCommands = new Set<string>();

async function start(): Promise<void> {
  storage = await startEmbeddedStorage({ dataDir });
  index = storage.index;
  record(storage.dynamodb.client, (command) => dynamoCommands.add(command));
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'packyard-storage-'));
  await start();
});

afterAll(async () => {
  await storage?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const digestOf = (text: string) => sha256(Buffer.from(text));

/** A BlobStore on its own client that records every S3 command and its input. */
function recordingStore(prefix?: string) {
  const client = createS3Client({ endpoint: storage.s3.endpoint });
  const calls: { command: string; input: Record<string, unknown> }[] = [];
  record(client, (command, input) => calls.push({ command, input: input as Record<string, unknown> }));
  const store = new S3BlobStore(client, storage.s3.bucket, prefix);
  return { store, calls, commands: () => calls.map((c) => c.command), close: () => client.destroy() };
}

describe('S3BlobStore', () => {
  it('puts, sizes and gets objects', async () => {
    const bytes = randomBytes(1000);
    await storage.blobStore.put('test/a', bytes, 'application/x-test');
    expect(await storage.blobStore.size('test/a')).toBe(1000);
    expect(Buffer.from(await storage.blobStore.get('test/a', 1000))).toEqual(bytes);
    await storage.blobStore.put('test/empty', new Uint8Array());
    expect(await storage.blobStore.size('test/empty')).toBe(0);
    expect(await storage.blobStore.get('test/empty', 0)).toHaveLength(0);
    await storage.blobStore.put('test/a', Buffer.from('replaced'));
    expect(Buffer.from(await storage.blobStore.get('test/a', 100)).toString()).toBe('replaced');
  });

  it('reports missing objects and refuses objects over the limit before reading them', async () => {
    expect(await storage.blobStore.size('test/missing')).toBeUndefined();
    await expect(storage.blobStore.get('test/missing', 10)).rejects.toBeInstanceOf(NotFoundError);
    await storage.blobStore.put('test/big', randomBytes(2048));
    await expect(storage.blobStore.get('test/big', 2047)).rejects.toBeInstanceOf(BlobTooLargeError);
    expect(await storage.blobStore.get('test/big', 2048)).toHaveLength(2048);
  });

  it('presigns GET URLs that fetch the bytes directly, with an optional download name', async () => {
    const bytes = randomBytes(4096);
    await storage.blobStore.put('blobs/sha256/presign', bytes);
    const url = await storage.blobStore.presignGet('blobs/sha256/presign', 60);
    expect(url).toContain('X-Amz-Signature=');
    expect(url).toContain('X-Amz-Expires=60');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);

    const named = await fetch(
      await storage.blobStore.presignGet('blobs/sha256/presign', 60, 'hello-1.0.0.tar.gz'),
    );
    expect(named.headers.get('content-disposition')).toBe('attachment; filename="hello-1.0.0.tar.gz"');
    expect(Buffer.from(await named.arrayBuffer())).toEqual(bytes);
    const unusual = await fetch(
      await storage.blobStore.presignGet('blobs/sha256/presign', 60, 'naïve "pack".tgz'),
    );
    expect(unusual.headers.get('content-disposition')).toBe(
      `attachment; filename="na_ve _pack_.tgz"; filename*=UTF-8''na%C3%AFve%20%22pack%22.tgz`,
    );
  });

  it('deletes in batches of 1000 and ignores missing keys', async () => {
    const { store, calls, close } = recordingStore();
    const keys = Array.from({ length: 1001 }, (_, i) => `test/del/${String(i).padStart(4, '0')}`);
    await Promise.all([
      store.put(keys[0] as string, Buffer.from('a')),
      store.put(keys[1000] as string, Buffer.from('b')),
    ]);
    await store.delete([...keys, 'test/del/0000']);
    const batches = calls.filter((c) => c.command === 'DeleteObjectsCommand');
    expect(batches.map((c) => (c.input.Delete as { Objects: unknown[] }).Objects.length)).toEqual([1000, 1]);
    expect(await store.size(keys[0] as string)).toBeUndefined();
    expect(await store.size(keys[1000] as string)).toBeUndefined();
    await store.delete([]);
    close();
  });

  it('copies objects server-side', async () => {
    await storage.blobStore.put('test/copy-src', Buffer.from('copy me'));
    await storage.blobStore.copy('test/copy-src', 'test/copy-dst');
    expect(Buffer.from(await storage.blobStore.get('test/copy-dst', 100)).toString()).toBe('copy me');
    await expect(storage.blobStore.copy('test/nothing', 'test/copy-x')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('keeps every key under its prefix', async () => {
    const { store, close } = recordingStore('tenant-a');
    await store.put('blobs/x', Buffer.from('x'));
    expect(await storage.blobStore.size('tenant-a/blobs/x')).toBe(1);
    expect(await store.size('blobs/x')).toBe(1);
    await store.copy('blobs/x', 'blobs/y');
    expect(await storage.blobStore.size('tenant-a/blobs/y')).toBe(1);
    close();
  });

  it('concatenates small results with one PutObject', async () => {
    const { store, commands, close } = recordingStore();
    const parts = [randomBytes(100), randomBytes(0), randomBytes(70_000), randomBytes(5)];
    await Promise.all(parts.map((bytes, i) => store.put(`uploads/small/${i}`, bytes)));
    const result = await store.concat(
      parts.map((_, i) => `uploads/small/${i}`),
      'blobs/sha256/small',
    );
    const whole = Buffer.concat(parts);
    expect(result).toEqual({ digest: sha256(whole), size: whole.length });
    expect(Buffer.from(await store.get('blobs/sha256/small', whole.length))).toEqual(whole);
    expect(commands()).toContain('PutObjectCommand');
    expect(commands()).not.toContain('CreateMultipartUploadCommand');

    expect(await store.concat([], 'blobs/sha256/empty')).toEqual({
      digest: sha256(new Uint8Array()),
      size: 0,
    });
    expect(await store.size('blobs/sha256/empty')).toBe(0);
    close();
  });

  it('concatenates large results with a multipart upload of parts of at least 8 MiB', async () => {
    const { store, calls, commands, close } = recordingStore();
    const parts = Array.from({ length: 5 }, () => randomBytes(4 * MiB)); // 20 MiB
    await Promise.all(parts.map((bytes, i) => store.put(`uploads/large/${i}`, bytes)));
    calls.length = 0;
    const result = await store.concat(
      parts.map((_, i) => `uploads/large/${i}`),
      'blobs/sha256/large',
    );
    const whole = Buffer.concat(parts);
    expect(result).toEqual({ digest: sha256(whole), size: 20 * MiB });
    expect(commands().filter((c) => c !== 'GetObjectCommand')).toEqual([
      'CreateMultipartUploadCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'CompleteMultipartUploadCommand',
    ]);
    const sizes = calls
      .filter((c) => c.command === 'UploadPartCommand')
      .map((c) => (c.input.Body as Uint8Array).byteLength);
    expect(sizes.slice(0, -1).every((size) => size >= 8 * MiB)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(20 * MiB);
    const stored = await store.get('blobs/sha256/large', 20 * MiB);
    expect(sha256(stored)).toBe(result.digest);
    await expect(store.get('blobs/sha256/large', 20 * MiB - 1)).rejects.toBeInstanceOf(BlobTooLargeError);
    close();
  });

  it('aborts the multipart upload when a source is missing', async () => {
    const { store, commands, close } = recordingStore();
    await store.put('uploads/broken/0', randomBytes(9 * MiB));
    await expect(
      store.concat(['uploads/broken/0', 'uploads/broken/1'], 'blobs/sha256/broken'),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(commands()).toContain('AbortMultipartUploadCommand');
    expect(commands()).not.toContain('CompleteMultipartUploadCommand');
    expect(await store.size('blobs/sha256/broken')).toBeUndefined();
    await expect(store.concat(['uploads/none'], 'blobs/sha256/none')).rejects.toBeInstanceOf(NotFoundError);
    expect(await store.size('blobs/sha256/none')).toBeUndefined();
    close();
  });
});

describe('DynamoIndex: packs', () => {
  const version = (
    repository: string,
    v: string,
    digest = digestOf(`${repository}@${v}`),
  ): PackVersionRecord => ({
    repository,
    basePath: '',
    name: repository.split('/').at(-1) as string,
    version: v,
    versionKey: versionSortKey(v),
    displayName: 'Hello',
    layer: 'addon',
    addonType: 'app services',
    cloudTypes: ['all'],
    manifestDigest: digest,
    layerDigest: digestOf(`layer ${v}`),
    size: 1234,
    pushedAt: NOW,
    pushedBy: 'ci',
    lint: { errors: 0, warnings: 2 },
    files: { values: `packs/${repository}/${v}/values.yaml`, readme: `packs/${repository}/${v}/README.md` },
  });

  it('gets many versions in one call (BatchGetItem in groups of 100), in the order asked', async () => {
    const repo = 'spectro-packs/archive/batch';
    const published = Array.from({ length: 130 }, (_, i) => `1.${i}.0`);
    await Promise.all(published.map((v) => index.putPackVersion(version(repo, v))));
    const wanted = [
      ...published.map((v) => ({ repository: repo, version: v })).reverse(),
      { repository: repo, version: '9.9.9' },
      { repository: 'spectro-packs/archive/nothing-here', version: '1.0.0' },
      { repository: repo, version: '1.7.0' }, // asked twice
    ];
    const got = await index.getPackVersions(wanted);
    expect(got).toHaveLength(wanted.length);
    expect(got.slice(0, 130)).toEqual([...published].reverse().map((v) => version(repo, v)));
    expect(got.slice(130)).toEqual([undefined, undefined, version(repo, '1.7.0')]);
    expect(await index.getPackVersions([])).toEqual([]);
  });

  it('stores versions immutably and lists them newest first, in pages', async () => {
    const repo = 'spectro-packs/archive/hello';
    const versions = [
      '1.9.0',
      '1.10.0',
      '1.0.0',
      '1.10.0-rc.1',
      '1.10.0-alpha',
      '2.0.0-beta.2',
      '2.0.0-beta.10',
      '0.1.0',
      '1.10.1',
    ];
    for (const v of versions) await index.putPackVersion(version(repo, v));
    await index.putPackVersion(version(repo, '1.9.0')); // idempotent retry
    await index.putPackVersion(version('spectro-packs/archive/other', '9.9.9'));

    const conflict = await index
      .putPackVersion(version(repo, '1.9.0', digestOf('evil')))
      .catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ConflictError);
    expect((conflict as ConflictError).existingDigest).toBe(version(repo, '1.9.0').manifestDigest);

    expect(await index.getPackVersion(repo, '1.10.0')).toEqual(version(repo, '1.10.0'));
    expect(await index.getPackVersion(repo, '3.0.0')).toBeUndefined();

    const seen: string[] = [];
    const cursors: (string | undefined)[] = [];
    let cursor: string | undefined;
    do {
      const page = await index.listPackVersions(repo, 4, cursor);
      seen.push(...page.items.map((v) => v.version));
      cursor = page.next;
      cursors.push(cursor);
    } while (cursor);
    expect(seen).toEqual([
      '2.0.0-beta.10',
      '2.0.0-beta.2',
      '1.10.1',
      '1.10.0',
      '1.10.0-rc.1',
      '1.10.0-alpha',
      '1.9.0',
      '1.0.0',
      '0.1.0',
    ]);
    expect(cursors.map((c) => c !== undefined)).toEqual([true, true, false]);
    expect((await index.listPackVersions(repo, 9)).next).toBeUndefined();

    await expect(index.listPackVersions(repo, 4, 'not a cursor')).rejects.toBeInstanceOf(InvalidCursorError);
    const foreign = (await index.listPackVersions('spectro-packs/archive/other', 0)).next;
    expect(foreign).toBeUndefined();
    const otherCursor = (await index.listPackVersions(repo, 1)).next as string;
    await expect(
      index.listPackVersions('spectro-packs/archive/other', 1, otherCursor),
    ).rejects.toBeInstanceOf(InvalidCursorError);

    await index.deletePackVersion(repo, '1.10.1');
    expect(await index.getPackVersion(repo, '1.10.1')).toBeUndefined();
    expect((await index.listPackVersions(repo, 1)).items[0]?.version).toBe('2.0.0-beta.10');
  });

  const summary = (
    basePath: string,
    name: string,
    latestVersion: string,
    extra: Partial<PackSummaryRecord> = {},
  ): PackSummaryRecord => ({
    repository: `${basePath ? `${basePath}/` : ''}spectro-packs/archive/${name}`,
    basePath,
    name,
    latestVersion,
    latestVersionKey: versionSortKey(latestVersion),
    displayName: name,
    layer: 'addon',
    cloudTypes: ['all'],
    updatedAt: NOW,
    ...extra,
  });

  const packs = [
    summary('', 'nginx', '1.2.0', { addonType: 'ingress', cloudTypes: ['all'] }),
    summary('', 'cilium', '1.15.0', { layer: 'cni', cloudTypes: ['aws', 'azure', 'vsphere'] }),
    summary('', 'ubuntu-aws', '22.4.0', { layer: 'os', cloudTypes: ['aws'] }),
    summary('team-a', 'nginx', '1.3.0', { addonType: 'ingress', cloudTypes: ['aws', 'edge-native'] }),
    summary('team-a', 'nginx-extra', '0.1.0', { addonType: 'ingress', cloudTypes: ['edge-native'] }),
    summary('team-a', 'prometheus', '2.0.0', { addonType: 'monitoring', cloudTypes: ['all'] }),
    summary('team-a', 'kubernetes', '1.30.1', { layer: 'k8s', cloudTypes: ['aws', 'vsphere'] }),
    summary('team-b/nested', 'nginx', '1.0.0', { addonType: 'ingress', cloudTypes: ['vsphere'] }),
  ];
  const names = (page: { items: PackSummaryRecord[] }) => page.items.map((p) => p.repository);
  const repoOf = (p: PackSummaryRecord | undefined) => p?.repository;

  it('keeps the newest summary of a pack', async () => {
    await Promise.all(packs.map((p) => index.putPackSummary(p)));
    const nginx = packs[3] as PackSummaryRecord;
    // An older version arriving late changes nothing, in the summary or in search.
    await index.putPackSummary({
      ...nginx,
      latestVersion: '1.2.9',
      latestVersionKey: versionSortKey('1.2.9'),
    });
    const found = await index.listPacks({ basePath: 'team-a', prefix: 'nginx', limit: 10 });
    expect(found.items).toEqual([nginx, packs[4]]);
    // Re-putting the same version is an idempotent success.
    await index.putPackSummary(nginx);
    expect((await index.listPacks({ basePath: 'team-a', prefix: 'nginx', limit: 1 })).items).toEqual([nginx]);
  });

  it('searches by each filter through one index partition', async () => {
    const all = await index.listPacks({ limit: 100 });
    expect(all.next).toBeUndefined();
    // Sorted by name, then base path.
    expect(names(all)).toEqual([
      'spectro-packs/archive/cilium',
      'team-a/spectro-packs/archive/kubernetes',
      'spectro-packs/archive/nginx',
      'team-a/spectro-packs/archive/nginx',
      'team-b/nested/spectro-packs/archive/nginx',
      'team-a/spectro-packs/archive/nginx-extra',
      'team-a/spectro-packs/archive/prometheus',
      'spectro-packs/archive/ubuntu-aws',
    ]);
    expect(all.items[0]).toEqual(packs[1]);

    expect(names(await index.listPacks({ prefix: 'nginx', limit: 100 }))).toEqual(
      [packs[0], packs[3], packs[7], packs[4]].map(repoOf),
    );
    expect(names(await index.listPacks({ basePath: '', limit: 100 }))).toEqual(
      [packs[1], packs[0], packs[2]].map(repoOf),
    );
    expect(names(await index.listPacks({ basePath: 'team-a', limit: 100 }))).toEqual(
      [packs[6], packs[3], packs[4], packs[5]].map(repoOf),
    );
    expect(names(await index.listPacks({ layer: 'os', limit: 100 }))).toEqual([packs[2]].map(repoOf));
    expect(names(await index.listPacks({ layer: 'addon', limit: 100 }))).toHaveLength(5);
    expect(names(await index.listPacks({ addonType: 'monitoring', limit: 100 }))).toEqual(
      [packs[5]].map(repoOf),
    );
    expect(names(await index.listPacks({ cloudType: 'aws', limit: 100 }))).toEqual(
      [packs[1], packs[6], packs[3], packs[2]].map(repoOf),
    );
    expect(names(await index.listPacks({ cloudType: 'edge-native', limit: 100 }))).toEqual(
      [packs[3], packs[4]].map(repoOf),
    );
    expect(await index.listPacks({ cloudType: 'gcp', limit: 100 })).toEqual({ items: [] });
  });

  it('combines filters', async () => {
    expect(names(await index.listPacks({ layer: 'addon', cloudType: 'aws', limit: 100 }))).toEqual(
      [packs[3]].map(repoOf),
    );
    expect(
      names(await index.listPacks({ basePath: 'team-a', layer: 'addon', prefix: 'n', limit: 100 })),
    ).toEqual([packs[3], packs[4]].map(repoOf));
    expect(
      names(
        await index.listPacks({
          basePath: 'team-a',
          addonType: 'ingress',
          cloudType: 'edge-native',
          limit: 100,
        }),
      ),
    ).toEqual([packs[3], packs[4]].map(repoOf));
    expect(names(await index.listPacks({ addonType: 'ingress', cloudType: 'vsphere', limit: 100 }))).toEqual(
      [packs[7]].map(repoOf),
    );
    expect(names(await index.listPacks({ prefix: 'nginx', cloudType: 'all', limit: 100 }))).toEqual(
      [packs[0]].map(repoOf),
    );
    expect((await index.listPacks({ basePath: 'team-a', layer: 'cni', limit: 100 })).items).toEqual([]);
  });

  it('pages through search results with cursors', async () => {
    const collect = async (query: Parameters<RegistryIndex['listPacks']>[0]) => {
      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await index.listPacks({ ...query, cursor });
        pages.push(names(page));
        cursor = page.next;
      } while (cursor);
      return pages;
    };
    const all = names(await index.listPacks({ limit: 100 }));
    const pages = await collect({ limit: 3 });
    expect(pages.map((p) => p.length)).toEqual([3, 3, 2]);
    expect(pages.flat()).toEqual(all);
    expect(await collect({ limit: 4 })).toHaveLength(2);

    const filtered = await collect({ layer: 'addon', cloudType: 'all', limit: 1 });
    expect(filtered).toEqual([
      [repoOf(packs[0] as PackSummaryRecord)],
      [repoOf(packs[5] as PackSummaryRecord)],
    ]);
    const byBase = await collect({ basePath: 'team-a', addonType: 'ingress', limit: 1 });
    expect(byBase.flat()).toEqual([packs[3], packs[4]].map(repoOf));

    const cursor = (await index.listPacks({ layer: 'addon', limit: 1 })).next as string;
    await expect(index.listPacks({ layer: 'os', limit: 1, cursor })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
    await expect(index.listPacks({ limit: 1, cursor: 'bm9wZQ' })).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('moves a pack between facets when a newer version changes them, and deletes it from all', async () => {
    const before = packs[6] as PackSummaryRecord; // team-a kubernetes: k8s, aws + vsphere
    const after = {
      ...before,
      latestVersion: '1.31.0',
      latestVersionKey: versionSortKey('1.31.0'),
      layer: 'addon',
      addonType: 'system app',
      cloudTypes: ['gcp'],
    };
    await index.putPackSummary(after);
    expect((await index.listPacks({ layer: 'k8s', limit: 10 })).items).toEqual([]);
    expect(names(await index.listPacks({ cloudType: 'aws', limit: 10 }))).not.toContain(before.repository);
    expect((await index.listPacks({ cloudType: 'gcp', limit: 10 })).items).toEqual([after]);
    expect((await index.listPacks({ addonType: 'system app', limit: 10 })).items).toEqual([after]);

    // A late writer of the old version cannot bring the old facets back.
    await index.putPackSummary(before);
    expect((await index.listPacks({ layer: 'k8s', limit: 10 })).items).toEqual([]);
    expect((await index.listPacks({ prefix: 'kubernetes', limit: 10 })).items).toEqual([after]);

    // Dropping the addon type hides that facet too.
    const plain = { ...after, latestVersion: '1.32.0', latestVersionKey: versionSortKey('1.32.0') };
    delete (plain as Partial<PackSummaryRecord>).addonType;
    await index.putPackSummary(plain);
    expect((await index.listPacks({ addonType: 'system app', limit: 10 })).items).toEqual([]);

    await index.deletePackSummary(before.repository);
    for (const query of [
      {},
      { basePath: 'team-a' },
      { layer: 'addon' },
      { cloudType: 'gcp' },
      { prefix: 'kube' },
    ]) {
      expect(names(await index.listPacks({ ...query, limit: 100 }))).not.toContain(before.repository);
    }
    // Deleted, an older version may be summarised again (e.g. after deleting the newest version).
    await index.putPackSummary(before);
    expect((await index.listPacks({ layer: 'k8s', limit: 10 })).items).toEqual([before]);
  });

  it('answers a single-filter page with one Query however many packs are indexed', async () => {
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        index.putPackSummary(
          summary('bulk', `pack-${String(i).padStart(2, '0')}`, '1.0.0', { layer: 'csi' }),
        ),
      ),
    );
    const queries: unknown[] = [];
    const probe = startRecording(storage.dynamodb.client, queries);
    const page = await index.listPacks({ layer: 'csi', limit: 10 });
    const filtered = await index.listPacks({ layer: 'csi', prefix: 'pack-5', limit: 5 });
    probe.stop();
    expect(page.items).toHaveLength(10);
    expect(page.next).toBeDefined();
    expect(names(filtered)).toHaveLength(5);
    expect(queries).toHaveLength(2);
  });
});

/** Records the inputs of Query commands sent while recording is on. */
function startRecording(client: DynamoDBClient, into: unknown[]): { stop(): void } {
  let on = true;
  record(client, (command, input) => {
    if (on && command === 'QueryCommand') into.push(input);
  });
  return {
    stop() {
      on = false;
    },
  };
}

describe('embedded storage', () => {
  it('keeps its data across a restart with the same data directory', async () => {
    const bytes = randomBytes(3000);
    await storage.blobStore.put('blobs/sha256/persist', bytes);
    await index.putTag({
      repository: 'team/persist',
      tag: '1.0.0',
      digest: digestOf('persist'),
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      immutable: true,
      updatedAt: NOW,
    });
    const packsBefore = await index.listPacks({ limit: 1000 });
    await storage.close();

    await start();
    expect(Buffer.from(await storage.blobStore.get('blobs/sha256/persist', 3000))).toEqual(bytes);
    expect((await index.getTag('team/persist', '1.0.0'))?.digest).toBe(digestOf('persist'));
    expect(await index.listPacks({ limit: 1000 })).toEqual(packsBefore);
    await expect(
      index.putTag({
        repository: 'team/persist',
        tag: '1.0.0',
        digest: digestOf('other'),
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        immutable: true,
        updatedAt: NOW,
      }),
    ).rejects.toMatchObject({ existingDigest: digestOf('persist') });
  });

  it('used only GetItem (alone or batched), Query, PutItem, UpdateItem and DeleteItem (plus table setup)', () => {
    expect([...dynamoCommands].filter((c) => !ITEM_COMMANDS.has(c))).toEqual([]);
    // Every kind is used: the restart above wrote a tag (UpdateItem) too.
    expect(dynamoCommands.size).toBe(6);
  });
});
