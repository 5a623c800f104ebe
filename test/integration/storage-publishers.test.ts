/**
 * The trusted-publishing items of the DynamoDB index (bindings, seen ID token ids, audit) on
 * dynalite, through the real DynamoDB client: the key design in docs/storage.md.
 */
import { createHash } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedStorage, startEmbeddedStorage } from '../../lambdas/local/embedded-storage.ts';
import { TTL_ATTRIBUTE } from '../../lambdas/registry/adapters/dynamo/table.ts';
import { createDynamoIndex } from '../../lambdas/registry/adapters/dynamo-index.ts';
import { newBinding } from '../../lambdas/registry/auth/publishers.ts';
import type { PublisherBinding } from '../../lambdas/registry/ports.ts';
import { tempDir } from '../helpers/packs.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

let storage: EmbeddedStorage;
beforeAll(async () => {
  storage = await startEmbeddedStorage({ dataDir: tempDir('storage-publishers-') });
});
afterAll(() => storage?.close());

function binding(repository: string, workflow: string, prefix: string): PublisherBinding {
  const made = newBinding(
    { repository, repositoryId: '1', repositoryOwnerId: '2', workflow, prefix },
    'admin',
    new Date('2025-01-01T00:00:00Z'),
  );
  if (!('binding' in made)) throw new Error(made.problems.join());
  return made.binding;
}

describe('trusted publishers in the index', () => {
  it('stores several bindings per repository and prefix, found by repository name in any case', async () => {
    const index = storage.index;
    const a = binding('Acme/Packs', 'publish.yml', 'team-a/');
    const b = binding('acme/packs', 'release.yml', 'team-a/');
    const c = binding('acme/packs-extra', 'publish.yml', 'team-a/');
    for (const x of [a, b, c, a]) await index.putPublisher(x);
    expect((await index.listPublishersFor('ACME/packs')).map((x) => x.id).sort()).toEqual(
      [a.id, b.id].sort(),
    );
    expect(await index.listPublishers()).toHaveLength(3);
    expect(await index.deletePublisher(a.id)).toEqual(a);
    expect(await index.deletePublisher(a.id)).toBeUndefined();
    expect((await index.listPublishersFor('acme/packs')).map((x) => x.id)).toEqual([b.id]);
  });

  it('claims an ID token id once, with a ttl; an expired claim can be taken again', async () => {
    let now = 1_000;
    const index = createDynamoIndex(storage.dynamodb.client, storage.dynamodb.table, () => now);
    expect(await index.claimTokenId('https://issuer', 'jti-1', 1_100)).toBe(true);
    expect(await index.claimTokenId('https://issuer', 'jti-1', 1_100)).toBe(false);
    expect(await index.claimTokenId('https://other-issuer', 'jti-1', 1_100)).toBe(true);
    const racing = await Promise.all(
      Array.from({ length: 10 }, () => index.claimTokenId('https://issuer', 'jti-2', 1_100)),
    );
    expect(racing.filter(Boolean)).toHaveLength(1);
    // The item carries the TTL attribute DynamoDB expires it by (keys are hashes, never the raw jti).
    const items = await storage.dynamodb.client.send(
      new GetItemCommand({
        TableName: storage.dynamodb.table,
        Key: {
          pk: { S: `JTI#${createHash('sha256').update('https://issuer\0jti-1').digest('hex')}` },
          sk: { S: 'JTI' },
        },
      }),
    );
    expect(items.Item?.[TTL_ATTRIBUTE]).toEqual({ N: '1100' });
    now = 1_101;
    expect(await index.claimTokenId('https://issuer', 'jti-1', 1_300)).toBe(true);
  });

  it('keeps audit records per binding, newest first, paginated', async () => {
    const index = storage.index;
    for (let i = 0; i < 5; i++) {
      await index.putPublisherAudit({
        event: i % 2 ? 'push' : 'exchange',
        bindingId: 'tp-audit',
        at: `2025-01-01T00:00:0${i}.000Z`,
        provenance: { runId: String(i) },
      });
    }
    await index.putPublisherAudit({
      event: 'exchange',
      bindingId: 'tp-other',
      at: '2025-01-02T00:00:00.000Z',
      provenance: {},
    });
    const first = await index.listPublisherAudit('tp-audit', 3);
    expect(first.items.map((r) => r.provenance.runId)).toEqual(['4', '3', '2']);
    expect(first.items[1]?.event).toBe('push');
    const rest = await index.listPublisherAudit('tp-audit', 3, first.next);
    expect(rest.items.map((r) => r.provenance.runId)).toEqual(['1', '0']);
    expect(rest.next).toBeUndefined();
    await expect(index.listPublisherAudit('tp-other', 3, first.next)).rejects.toThrow('invalid cursor');
  });
});
