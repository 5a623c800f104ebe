import {
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { GcIndex, ScannedItem } from '../gc/ports.ts';
import {
  Expr,
  fromItem,
  type Item,
  isConditionFailure,
  type Key,
  packFilesKey,
  toItem,
} from './dynamo-index.ts';

const blobKey = (digest: string): Key => ({ pk: `BLOB#${digest}`, sk: 'BLOB' });

/**
 * The collector's side of the table (lambdas/registry/gc/ports.ts): Scan pages and conditional
 * state changes. Same table and key layout as DynamoIndex (docs/storage.md).
 */
export class DynamoGcIndex implements GcIndex {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

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
      const plain = fromItem(item);
      const { pk, sk } = plain as { pk: string; sk: string };
      return { pk, sk, record: plain };
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
    const e = new Expr();
    if (seenCreatedAt === undefined) {
      // An object without a record (a crashed upload, an old large manifest): create it condemned.
      return this.attempt(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem({
            ...blobKey(digest),
            kind: 'blob',
            digest,
            size,
            createdAt: at,
            gcState: 'condemned',
            gcAt: at,
          }),
          ConditionExpression: `attribute_not_exists(${e.name('pk')})`,
          ...e.attributes(),
        }),
      );
    }
    return this.update(
      blobKey(digest),
      e,
      `SET ${e.name('gcState')} = ${e.value('condemned')}, ${e.name('gcAt')} = ${e.value(at)}`,
      `${e.name('createdAt')} = ${e.value(seenCreatedAt)} AND attribute_not_exists(${e.name('gcState')})`,
    );
  }

  async markBlobDeleting(digest: string, gcAt: string): Promise<boolean> {
    return this.toDeleting(blobKey(digest), gcAt);
  }

  async deleteBlobRecord(digest: string): Promise<void> {
    await this.deleteDeleting(blobKey(digest));
  }

  async condemnPackFiles(hex: string, at: string): Promise<boolean> {
    const e = new Expr();
    return this.attempt(
      new PutItemCommand({
        TableName: this.tableName,
        Item: toItem({ ...packFilesKey(hex), kind: 'pack-files', hex, gcState: 'condemned', gcAt: at }),
        ConditionExpression: `attribute_not_exists(${e.name('pk')}) OR attribute_not_exists(${e.name('gcState')})`,
        ...e.attributes(),
      }),
    );
  }

  async markPackFilesDeleting(hex: string, gcAt: string): Promise<boolean> {
    return this.toDeleting(packFilesKey(hex), gcAt);
  }

  async deletePackFilesMarker(hex: string): Promise<void> {
    await this.deleteDeleting(packFilesKey(hex));
  }

  async deleteManifestIf(repository: string, digest: string, createdAt: string): Promise<boolean> {
    const e = new Expr();
    return this.attempt(
      new DeleteItemCommand({
        TableName: this.tableName,
        Key: toItem({ pk: `REPO#${repository}`, sk: `MANIFEST#${digest}` }),
        ConditionExpression: `${e.name('createdAt')} = ${e.value(createdAt)}`,
        ...e.attributes(),
      }),
    );
  }

  private async toDeleting(key: Key, gcAt: string): Promise<boolean> {
    const e = new Expr();
    return this.update(
      key,
      e,
      `SET ${e.name('gcState')} = ${e.value('deleting')}`,
      `${e.name('gcState')} = ${e.value('condemned')} AND ${e.name('gcAt')} = ${e.value(gcAt)}`,
    );
  }

  private async deleteDeleting(key: Key): Promise<void> {
    const e = new Expr();
    await this.attempt(
      new DeleteItemCommand({
        TableName: this.tableName,
        Key: toItem(key),
        ConditionExpression: `${e.name('gcState')} = ${e.value('deleting')}`,
        ...e.attributes(),
      }),
    );
  }

  private async update(key: Key, e: Expr, update: string, condition: string): Promise<boolean> {
    return this.attempt(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: toItem(key) as Item,
        UpdateExpression: update,
        ConditionExpression: `attribute_exists(${e.name('pk')}) AND ${condition}`,
        ...e.attributes(),
      }),
    );
  }

  private async attempt(command: PutItemCommand | UpdateItemCommand | DeleteItemCommand): Promise<boolean> {
    try {
      // biome-ignore lint/suspicious/noExplicitAny: the three commands share send's overloads
      await this.client.send(command as any);
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }
}
