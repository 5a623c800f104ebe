import {
  type AttributeValue,
  BatchGetItemCommand,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { convertToAttr, marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { ConflictError } from '../../ports.ts';
import { INTERNAL_ATTRIBUTES, type Key } from './table.ts';

/*
 * The few item operations every record family is written with: GetItem (also batched), Query
 * (all, or one page with a cursor), PutItem, UpdateItem, DeleteItem, and the conditional forms.
 * Reads of the base table are strongly consistent.
 */

export type Item = Record<string, AttributeValue>;
type QueryInput = Omit<
  QueryCommandInput,
  'TableName' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
>;

/** Query calls one filtered page may spend before returning what it has (with a cursor). */
const MAX_FILTERED_QUERIES = 10;
/** How many items a filtered query evaluates per call. */
const FILTERED_BATCH = 100;
/** Retries of a conditional write whose conflicting item vanished before it could be read. */
const CONFLICT_RETRIES = 5;

/** An opaque cursor that does not decode, or belongs to another listing. */
export class InvalidCursorError extends Error {}

const MARSHALL = { removeUndefinedValues: true } as const;

/** Record → item; undefined properties are left out. */
export function toItem(object: object): Item {
  return marshall(object, MARSHALL);
}

/** An item as the record it stores: keys and bookkeeping attributes removed. */
export function record<T>(item: Item): T {
  const plain = unmarshall(item);
  for (const name of INTERNAL_ATTRIBUTES) delete plain[name];
  return plain as T;
}

export function str(value: AttributeValue | undefined): string {
  if (value?.S === undefined) throw new TypeError('expected a string attribute');
  return value.S;
}

/** Collects expression attribute names and values; only what an expression uses is sent. */
export class Expr {
  private readonly names: Record<string, string> = {};
  private readonly values: Item = {};
  private count = 0;

  name(attribute: string): string {
    const placeholder = `#${attribute}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }

  value(value: unknown): string {
    const placeholder = `:v${this.count++}`;
    this.values[placeholder] = convertToAttr(value, MARSHALL);
    return placeholder;
  }

  /** `pk = <pk>`, and `begins_with(sk, <prefix>)` when a sort-key prefix is given. */
  partition(pk: string, skPrefix?: string): string {
    const condition = `${this.name('pk')} = ${this.value(pk)}`;
    return skPrefix === undefined
      ? condition
      : `${condition} AND begins_with(${this.name('sk')}, ${this.value(skPrefix)})`;
  }

  attributes(): Pick<QueryCommandInput, 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> {
    return {
      ExpressionAttributeNames: Object.keys(this.names).length > 0 ? this.names : undefined,
      ExpressionAttributeValues: this.count > 0 ? this.values : undefined,
    };
  }
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** Runs a conditional write: false when its condition failed, other errors are thrown. */
async function conditional(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** One DynamoDB table, addressed with the generic keys of table.ts. */
export class DynamoTable {
  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
    /** Clock for expiry checks (epoch seconds); injectable for tests. */
    readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  async get<T>(key: Key): Promise<T | undefined> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: toItem(key), ConsistentRead: true }),
    );
    return out.Item ? record<T>(out.Item) : undefined;
  }

  /**
   * GetItem for many keys: BatchGetItem in groups of 100, asking again for what DynamoDB left
   * unprocessed (throttling, 16 MB answers). Results follow `wanted`; duplicates are fine.
   */
  async getMany<T>(wanted: readonly Key[]): Promise<(T | undefined)[]> {
    const found = new Map<string, Item>();
    const id = (k: Key) => `${k.pk}\0${k.sk}`;
    const unique = [...new Map(wanted.map((k) => [id(k), k])).values()];
    for (let i = 0; i < unique.length; i += 100) {
      let pending: Item[] = unique.slice(i, i + 100).map((k) => toItem(k));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= 8)
          throw new Error(`DynamoDB left ${pending.length} keys unprocessed after ${attempt} tries`);
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
        const out = await this.client.send(
          new BatchGetItemCommand({
            RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } },
          }),
        );
        for (const item of out.Responses?.[this.tableName] ?? [])
          found.set(id({ pk: item.pk?.S ?? '', sk: item.sk?.S ?? '' }), item);
        pending = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Item[];
      }
    }
    return wanted.map((k) => {
      const item = found.get(id(k));
      return item ? record<T>(item) : undefined;
    });
  }

  async put(item: Record<string, unknown>): Promise<void> {
    await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: toItem(item) }));
  }

  /** A PutItem guarded by `condition` (built with the Expr given): false when the condition failed. */
  async putIf(item: Record<string, unknown>, condition: (e: Expr) => string): Promise<boolean> {
    const e = new Expr();
    const ConditionExpression = condition(e);
    return conditional(
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem(item),
          ConditionExpression,
          ...e.attributes(),
        }),
      ),
    );
  }

  /** An UpdateItem guarded by a condition: false when the condition failed. */
  async updateIf(key: Key, build: (e: Expr) => { update: string; condition: string }): Promise<boolean> {
    const e = new Expr();
    const { update, condition } = build(e);
    return conditional(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: toItem(key),
          UpdateExpression: update,
          ConditionExpression: condition,
          ...e.attributes(),
        }),
      ),
    );
  }

  /** SET (and REMOVE) attributes of an existing item only: false when it is gone. */
  async updateExisting(key: Key, set: Record<string, unknown>, remove: string[] = []): Promise<boolean> {
    return this.updateIf(key, (e) => {
      const sets = Object.entries(set).map(([name, value]) => `${e.name(name)} = ${e.value(value)}`);
      const removes = remove.map((name) => e.name(name));
      const update = [
        sets.length ? `SET ${sets.join(', ')}` : '',
        removes.length ? `REMOVE ${removes.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join(' ');
      return { update, condition: `attribute_exists(${e.name('pk')})` };
    });
  }

  /**
   * A conditional write that is retried while its condition fails for a passing reason: after a
   * failure the item is read, and `conflict` returns the error to throw when it really conflicts,
   * or undefined when it vanished or now agrees with the write (then the write runs again).
   */
  async writeUnlessConflict<T>(
    key: Key,
    write: () => Promise<boolean>,
    conflict: (existing: T | undefined) => ConflictError | undefined,
    what: string,
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (await write()) return;
      const error = conflict(await this.get<T>(key));
      if (error) throw error;
      if (attempt >= CONFLICT_RETRIES) throw new ConflictError(`${what} keeps changing`);
    }
  }

  /** An UpdateItem guarded by a condition: the item as updated, or undefined when the condition failed. */
  async updateReturning<T>(
    key: Key,
    build: (e: Expr) => { update: string; condition: string },
  ): Promise<T | undefined> {
    const e = new Expr();
    const { update, condition } = build(e);
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: toItem(key),
          UpdateExpression: update,
          ConditionExpression: condition,
          ReturnValues: 'ALL_NEW',
          ...e.attributes(),
        }),
      );
      return out.Attributes ? record<T>(out.Attributes) : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** A DeleteItem guarded by `condition`: false when the condition failed. */
  async deleteIf(key: Key, condition: (e: Expr) => string): Promise<boolean> {
    const e = new Expr();
    const ConditionExpression = condition(e);
    return conditional(
      this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: toItem(key),
          ConditionExpression,
          ...e.attributes(),
        }),
      ),
    );
  }

  async delete(key: Key): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: toItem(key) }));
  }

  /** Deletes an item and returns the record it held, or undefined when there was none. */
  async take<T>(key: Key): Promise<T | undefined> {
    const out = await this.client.send(
      new DeleteItemCommand({ TableName: this.tableName, Key: toItem(key), ReturnValues: 'ALL_OLD' }),
    );
    return out.Attributes ? record<T>(out.Attributes) : undefined;
  }

  /** Every item a query matches (for small, bounded item collections). */
  async queryAll(build: (e: Expr) => QueryInput): Promise<Item[]> {
    const e = new Expr();
    const input = { ...build(e), ...e.attributes() };
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({ TableName: this.tableName, ...input, ExclusiveStartKey: start }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /**
   * Up to `limit` items after `start`. It reads one item past the page, so `next` is absent
   * exactly when nothing follows; `next` is the key of the last item returned (or, when a
   * filtered query runs out of its call budget, of the last item evaluated). With `keep` (items
   * the caller may see), only kept items are returned and counted, and `next` is always the key
   * of a kept item: when the budget runs out it is the last one kept, and a budget that kept
   * nothing is extended, so every page makes progress without naming what was left out.
   */
  async queryPage(
    build: (e: Expr) => QueryInput,
    limit: number,
    start?: Item,
    keep?: (item: Item) => boolean,
  ): Promise<{ items: Item[]; next?: string }> {
    if (!(limit > 0)) return { items: [] };
    const e = new Expr();
    const input = { ...build(e), ...e.attributes() };
    const filtered = input.FilterExpression !== undefined || keep !== undefined;
    const withIndexKeys = input.IndexName !== undefined;
    const items: Item[] = [];
    let exclusiveStart = start;
    for (let calls = 1; ; calls++) {
      const wanted = limit + 1 - items.length;
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          ...input,
          Limit: filtered ? Math.max(wanted, FILTERED_BATCH) : wanted,
          ExclusiveStartKey: exclusiveStart,
        }),
      );
      items.push(...(keep ? (out.Items ?? []).filter(keep) : (out.Items ?? [])));
      if (items.length > limit) {
        items.length = limit;
        return { items, next: encodeCursor(keyOf(items[limit - 1] as Item, withIndexKeys)) };
      }
      if (!out.LastEvaluatedKey) return { items };
      exclusiveStart = out.LastEvaluatedKey;
      if (filtered && calls >= MAX_FILTERED_QUERIES) {
        if (!keep) return { items, next: encodeCursor(exclusiveStart) };
        const last = items.at(-1);
        if (last) return { items, next: encodeCursor(keyOf(last, withIndexKeys)) };
      }
    }
  }
}

// ---- Cursors ----

function keyOf(item: Item, withIndexKeys: boolean): Item {
  const names = withIndexKeys ? ['pk', 'sk', 'gsi1pk', 'gsi1sk'] : ['pk', 'sk'];
  return Object.fromEntries(names.map((name) => [name, item[name] as AttributeValue]));
}

/** base64url of the key's string attributes (every key attribute of the table is a string). */
function encodeCursor(key: Item): string {
  const plain = Object.fromEntries(Object.entries(key).map(([name, value]) => [name, value.S]));
  return Buffer.from(JSON.stringify(plain)).toString('base64url');
}

/**
 * Decodes a cursor and checks that it continues the same listing: exactly the key attributes of
 * the table (or index) queried, with the `expected` values.
 */
export function decodeCursor(cursor: string, expected: Record<string, string>, index = false): Item {
  const names = index ? ['gsi1pk', 'gsi1sk', 'pk', 'sk'] : ['pk', 'sk'];
  let plain: unknown;
  try {
    plain = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('invalid cursor');
  }
  const valid =
    typeof plain === 'object' &&
    plain !== null &&
    !Array.isArray(plain) &&
    Object.keys(plain).sort().join() === names.join() &&
    // DynamoDB caps key attributes (1024 bytes for sort keys): a forged cursor must not reach it.
    Object.values(plain).every(
      (value) => typeof value === 'string' && value !== '' && Buffer.byteLength(value) <= 1024,
    ) &&
    Object.entries(expected).every(([name, value]) => (plain as Record<string, string>)[name] === value);
  if (!valid) throw new InvalidCursorError('invalid cursor');
  return toItem(plain as Record<string, string>);
}
