import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { GcIndex, ScannedItem } from '../gc/ports.ts';
import { DynamoTable, toItem } from './dynamo/items.ts';
import { type Key, keys, repoPk } from './dynamo/table.ts';

/**
 * The collector's side of the table (lambdas/registry/gc/ports.ts): Scan pages and conditional
 * state changes. Same table and key layout as the index (dynamo/table.ts, docs/storage.md).
 */
export class DynamoGcIndex implements GcIndex {
  private readonly table: DynamoTable;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.table = new DynamoTable(client, tableName);
  }

  async scan(limit: number, cursor?: string): Promise<{ items: ScannedItem[]; next?: string }> {
    const out = await this.client.send(
      new ScanCommand({
        TableName: this.tableName,
        Limit: limit,
        ConsistentRead: true,
        ExclusiveStartKey: cursor
          ? toItem(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')))
          : undefined,
      }),
    );
    const items = (out.Items ?? []).map((item) => {
      const plain = unmarshall(item);
      return { pk: String(plain.pk), sk: String(plain.sk), record: plain };
    });
    const last = out.LastEvaluatedKey;
    return {
      items,
      next: last
        ? Buffer.from(JSON.stringify({ pk: last.pk?.S, sk: last.sk?.S })).toString('base64url')
        : undefined,
    };
  }

  async condemnBlob(
    digest: string,
    seenCreatedAt: string | undefined,
    size: number,
    at: string,
  ): Promise<boolean> {
    if (seenCreatedAt === undefined) {
      // An object without a record (a crashed upload, an old large manifest): create it condemned.
      return this.table.putIf(
        { ...keys.blob(digest), kind: 'blob', digest, size, createdAt: at, gcState: 'condemned', gcAt: at },
        (e) => `attribute_not_exists(${e.name('pk')})`,
      );
    }
    return this.table.updateIf(keys.blob(digest), (e) => ({
      update: `SET ${e.name('gcState')} = ${e.value('condemned')}, ${e.name('gcAt')} = ${e.value(at)}`,
      condition: `attribute_exists(${e.name('pk')}) AND ${e.name('createdAt')} = ${e.value(seenCreatedAt)} AND attribute_not_exists(${e.name('gcState')})`,
    }));
  }

  markBlobDeleting(digest: string, gcAt: string): Promise<boolean> {
    return this.toDeleting(keys.blob(digest), gcAt);
  }

  async deleteBlobRecord(digest: string): Promise<void> {
    await this.deleteDeleting(keys.blob(digest));
  }

  condemnPackFiles(hex: string, at: string): Promise<boolean> {
    return this.table.putIf(
      { ...keys.packFiles(hex), kind: 'pack-files', hex, gcState: 'condemned', gcAt: at },
      (e) => `attribute_not_exists(${e.name('pk')}) OR attribute_not_exists(${e.name('gcState')})`,
    );
  }

  markPackFilesDeleting(hex: string, gcAt: string): Promise<boolean> {
    return this.toDeleting(keys.packFiles(hex), gcAt);
  }

  async deletePackFilesMarker(hex: string): Promise<void> {
    await this.deleteDeleting(keys.packFiles(hex));
  }

  async deleteManifestIf(repository: string, digest: string, createdAt: string): Promise<boolean> {
    return this.table.deleteIf(
      { pk: repoPk(repository), sk: `MANIFEST#${digest}` },
      (e) => `${e.name('createdAt')} = ${e.value(createdAt)}`,
    );
  }

  private toDeleting(key: Key, gcAt: string): Promise<boolean> {
    return this.table.updateIf(key, (e) => ({
      update: `SET ${e.name('gcState')} = ${e.value('deleting')}`,
      condition: `attribute_exists(${e.name('pk')}) AND ${e.name('gcState')} = ${e.value('condemned')} AND ${e.name('gcAt')} = ${e.value(gcAt)}`,
    }));
  }

  private async deleteDeleting(key: Key): Promise<void> {
    await this.table.deleteIf(key, (e) => `${e.name('gcState')} = ${e.value('deleting')}`);
  }
}
