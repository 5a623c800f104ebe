/**
 * The DynamoDB index on dynalite, through the real DynamoDB client: blobs, uploads, manifests,
 * referrers, credentials, tags and the catalog (packs and the embedded storage: storage.test.ts).
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Digest as sha256 } from '../../core/oci.ts';
import { type EmbeddedStorage, startEmbeddedStorage } from '../../lambdas/local/embedded-storage.ts';
import { TTL_ATTRIBUTE } from '../../lambdas/registry/adapters/dynamo/table.ts';
import { ConflictError, type RegistryIndex, type TagRecord } from '../../lambdas/registry/ports.ts';
import { tempDir } from '../helpers/packs.ts';
import { ITEM_COMMANDS, record } from '../helpers/storage.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const NOW = '2025-01-01T00:00:00.000Z';

let storage: EmbeddedStorage;
let index: RegistryIndex;
/** Every DynamoDB command the index sent (to prove: no Scan, no transactions). */
const dynamoCommands = new Set<string>();

beforeAll(async () => {
  storage = await startEmbeddedStorage({ dataDir: tempDir('packyard-storage-index-') });
  index = storage.index;
  record(storage.dynamodb.client, (command) => dynamoCommands.add(command));
});
afterAll(() => storage?.close());

const digestOf = (text: string) => sha256(Buffer.from(text));

describe('DynamoIndex: blobs, uploads, manifests, referrers, credentials', () => {
  it('stores blob records and per-repository links', async () => {
    const blob = { digest: digestOf('blob'), size: 4, createdAt: NOW };
    expect(await index.getBlob(blob.digest)).toBeUndefined();
    await index.putBlob(blob);
    expect(await index.getBlob(blob.digest)).toEqual(blob);
    expect(await index.getBlobLink('team/a', blob.digest)).toBeUndefined();
    await index.linkBlob('team/a', blob);
    expect(await index.getBlobLink('team/a', blob.digest)).toEqual(blob);
    expect(await index.getBlobLink('team/b', blob.digest)).toBeUndefined();
    await index.unlinkBlob('team/a', blob.digest);
    expect(await index.getBlobLink('team/a', blob.digest)).toBeUndefined();
    expect(await index.getBlob(blob.digest)).toEqual(blob);
  });

  it('creates, advances (compare-and-set on the offset), expires and deletes upload sessions', async () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 3600;
    const upload = {
      id: 'u1',
      repository: 'team/a',
      offset: 0,
      chunks: 0,
      parts: [],
      createdAt: NOW,
      expiresAt,
    };
    await index.createUpload(upload);
    await expect(index.createUpload(upload)).rejects.toBeInstanceOf(ConflictError);
    expect(await index.getUpload('u1')).toEqual(upload);
    // DynamoDB expires the session by the attribute the table's TTL is enabled on (infra tests check the table).
    const item = await storage.dynamodb.client.send(
      new GetItemCommand({
        TableName: storage.dynamodb.table,
        Key: { pk: { S: 'UPLOAD#u1' }, sk: { S: 'UPLOAD' } },
      }),
    );
    expect(item.Item?.[TTL_ATTRIBUTE]).toEqual({ N: String(expiresAt) });

    await index.advanceUpload('u1', 0, 100, ['uploads/u1/000000-a']);
    expect(await index.getUpload('u1')).toMatchObject({
      offset: 100,
      chunks: 1,
      parts: ['uploads/u1/000000-a'],
    });
    await expect(index.advanceUpload('u1', 0, 200, ['x', 'y'])).rejects.toBeInstanceOf(ConflictError);

    // Racing chunks at the same offset: exactly one moves the session.
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        index.advanceUpload('u1', 100, 200 + i, ['uploads/u1/000000-a', `uploads/u1/000001-${i}`]),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);

    await index.deleteUpload('u1');
    expect(await index.getUpload('u1')).toBeUndefined();
    await expect(index.advanceUpload('u1', 0, 1, ['z'])).rejects.toBeInstanceOf(ConflictError);

    await index.createUpload({ ...upload, id: 'u-expired', expiresAt: Math.floor(Date.now() / 1000) - 1 });
    expect(await index.getUpload('u-expired')).toBeUndefined();
    await expect(index.advanceUpload('u-expired', 0, 1, ['z'])).rejects.toBeInstanceOf(ConflictError);
    expect(await index.getUpload('u-never')).toBeUndefined();
  });

  it('stores manifests with inline bytes or a blob key', async () => {
    const bytes = new Uint8Array(Buffer.from('{"schemaVersion":2}'));
    const inline = {
      repository: 'team/a',
      digest: sha256(bytes),
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      size: bytes.length,
      bytes,
      subject: digestOf('subject'),
      artifactType: 'application/vnd.example',
      annotations: { 'org.opencontainers.image.title': 'x', empty: '' },
      createdAt: NOW,
    };
    await index.putManifest(inline);
    const got = await index.getManifest('team/a', inline.digest);
    expect(got).toEqual({ ...inline, bytes: expect.any(Uint8Array) });
    expect(Buffer.from(got?.bytes as Uint8Array)).toEqual(Buffer.from(bytes));

    const external = {
      repository: 'team/a',
      digest: digestOf('big manifest'),
      mediaType: 'application/vnd.oci.image.index.v1+json',
      size: 500_000,
      blobKey: `blobs/sha256/${digestOf('big manifest').slice(7)}`,
      createdAt: NOW,
    };
    await index.putManifest(external);
    expect(await index.getManifest('team/a', external.digest)).toEqual(external);
    expect(await index.getManifest('team/b', external.digest)).toBeUndefined();
    await index.deleteManifest('team/a', external.digest);
    expect(await index.getManifest('team/a', external.digest)).toBeUndefined();
  });

  it('lists referrers of a subject', async () => {
    const subject = digestOf('image');
    const referrer = (name: string, on = subject) => ({
      repository: 'team/r',
      subject: on,
      digest: digestOf(name),
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      size: 123,
      artifactType: `application/vnd.${name}`,
      annotations: { name },
    });
    await Promise.all([
      index.putReferrer(referrer('sbom')),
      index.putReferrer(referrer('sig')),
      index.putReferrer(referrer('attestation')),
      index.putReferrer(referrer('other', digestOf('other image'))),
    ]);
    const found = await index.listReferrers('team/r', subject);
    expect(found.map((r) => r.annotations?.name).sort()).toEqual(['attestation', 'sbom', 'sig']);
    expect(found[0]).toEqual(referrer(found[0]?.annotations?.name as string));
    await index.deleteReferrer('team/r', subject, digestOf('sig'));
    expect((await index.listReferrers('team/r', subject)).map((r) => r.annotations?.name).sort()).toEqual([
      'attestation',
      'sbom',
    ]);
    expect(await index.listReferrers('team/other', subject)).toEqual([]);
  });

  it('creates, replaces, lists and deletes credentials', async () => {
    const credential = (username: string, scope: 'read' | 'write' | 'admin') => ({
      username,
      passwordHash: `scrypt$16384$8$1$c2FsdA==$${username}`,
      scope,
      prefix: scope === 'admin' ? '' : 'team-a/',
      createdAt: NOW,
    });
    expect(await index.getCredential('ci')).toBeUndefined();
    await index.putCredential(credential('ci', 'write'));
    await index.putCredential(credential('palette', 'read'));
    await index.putCredential(credential('admin', 'admin'));
    expect(await index.getCredential('ci')).toEqual(credential('ci', 'write'));
    await index.putCredential(credential('ci', 'read'));
    expect((await index.getCredential('ci'))?.scope).toBe('read');
    expect((await index.listCredentials()).map((c) => c.username)).toEqual(['admin', 'ci', 'palette']);
    expect(await index.deleteCredential('ci')).toBe(true);
    expect(await index.deleteCredential('ci')).toBe(false);
    expect((await index.listCredentials()).map((c) => c.username)).toEqual(['admin', 'palette']);
  });
});

describe('DynamoIndex: tags and catalog', () => {
  const tag = (name: string, digest: string, immutable: boolean, repository = 'team/tags'): TagRecord => ({
    repository,
    tag: name,
    digest,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    immutable,
    updatedAt: NOW,
  });

  it('moves mutable tags and never moves immutable ones', async () => {
    const [a, b] = [digestOf('a'), digestOf('b')];
    await index.putTag(tag('latest', a, false));
    await index.putTag(tag('latest', b, false));
    expect(await index.getTag('team/tags', 'latest')).toEqual(tag('latest', b, false));

    await index.putTag(tag('1.0.0', a, true));
    await index.putTag(tag('1.0.0', a, true)); // idempotent retry
    const conflict = await index.putTag(tag('1.0.0', b, true)).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ConflictError);
    expect((conflict as ConflictError).existingDigest).toBe(a);
    // A mutable put cannot move it either, nor clear its immutability.
    await expect(index.putTag(tag('1.0.0', b, false))).rejects.toMatchObject({ existingDigest: a });
    await index.putTag(tag('1.0.0', a, false));
    expect(await index.getTag('team/tags', '1.0.0')).toEqual(tag('1.0.0', a, true));

    // An immutable put cannot take over a mutable tag that points elsewhere.
    await expect(index.putTag(tag('latest', a, true))).rejects.toMatchObject({ existingDigest: b });
    await index.putTag(tag('latest', b, true));
    expect((await index.getTag('team/tags', 'latest'))?.immutable).toBe(true);

    await index.deleteTag('team/tags', 'latest');
    expect(await index.getTag('team/tags', 'latest')).toBeUndefined();
  });

  it('lets exactly one of 20 concurrent pushes of a new immutable tag win', async () => {
    const digests = Array.from({ length: 20 }, (_, i) => digestOf(`race ${i}`));
    const results = await Promise.allSettled(digests.map((d) => index.putTag(tag('2.0.0', d, true))));
    const winners = results.filter((r) => r.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    const stored = await index.getTag('team/tags', '2.0.0');
    expect(digests).toContain(stored?.digest);
    expect(digests[results.indexOf(winners[0] as PromiseSettledResult<void>)]).toBe(stored?.digest);
    for (const r of results) {
      if (r.status === 'rejected') {
        expect(r.reason).toBeInstanceOf(ConflictError);
        expect(r.reason.existingDigest).toBe(stored?.digest);
      }
    }

    const same = await Promise.allSettled(
      Array.from({ length: 20 }, () => index.putTag(tag('3.0.0', digestOf('same'), true))),
    );
    expect(same.every((r) => r.status === 'fulfilled')).toBe(true);
    expect((await index.getTag('team/tags', '3.0.0'))?.digest).toBe(digestOf('same'));
  });

  it('pages through tags in lexical order', async () => {
    const names = Array.from({ length: 25 }, (_, i) => `t${String(i).padStart(2, '0')}`);
    await Promise.all(names.map((n) => index.putTag(tag(n, digestOf(n), false, 'team/paged'))));
    const seen: string[] = [];
    let last: string | undefined;
    const mores: boolean[] = [];
    do {
      const page = await index.listTags('team/paged', 10, last);
      seen.push(...page.tags.map((t) => t.tag));
      mores.push(page.more);
      last = page.more ? page.tags.at(-1)?.tag : undefined;
    } while (last);
    expect(seen).toEqual(names);
    expect(mores).toEqual([true, true, false]);

    // An exact fit ends without a phantom page; `last` need not be an existing tag.
    expect((await index.listTags('team/paged', 25)).more).toBe(false);
    expect((await index.listTags('team/paged', 24)).more).toBe(true);
    const after = await index.listTags('team/paged', 3, 't10x');
    expect(after.tags.map((t) => t.tag)).toEqual(['t11', 't12', 't13']);
    expect((await index.listTags('team/paged', 5, 't24')).tags).toEqual([]);
    expect(await index.listTags('team/nothing', 5)).toEqual({ tags: [], more: false });
    expect((await index.listTags('team/paged', 1)).tags[0]).toEqual(
      tag('t00', digestOf('t00'), false, 'team/paged'),
    );
  });

  it('pages through the repository catalog', async () => {
    const repos = Array.from({ length: 12 }, (_, i) => `catalog/repo-${String(i).padStart(2, '0')}`);
    await Promise.all([...repos, ...repos].map((r) => index.addRepository(r)));
    const first = await index.listRepositories(1000);
    expect(first.more).toBe(false);
    const ours = first.repositories.filter((r) => r.startsWith('catalog/'));
    expect(ours).toEqual(repos);
    expect(first.repositories).toEqual([...first.repositories].sort());

    const pages: string[][] = [];
    let last: string | undefined = 'catalog/';
    let more = true;
    while (more) {
      const page = await index.listRepositories(5, last);
      pages.push(page.repositories);
      more = page.more;
      last = page.repositories.at(-1);
    }
    expect(pages.flat().filter((r) => r.startsWith('catalog/'))).toEqual(repos);
    expect(pages[0]).toHaveLength(5);
  });
});

describe('the index', () => {
  it('used only item commands (GetItem, Query, PutItem, UpdateItem, DeleteItem)', () => {
    expect([...dynamoCommands].filter((c) => !ITEM_COMMANDS.has(c))).toEqual([]);
  });
});
