import { createHash, randomBytes } from 'node:crypto';
import {
  type AttributeValue,
  BatchGetItemCommand,
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteItemCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { versionSortKey } from '../../../core/version.ts';
import {
  type BlobRecord,
  ConflictError,
  type CredentialRecord,
  type GcState,
  type ManifestRecord,
  type PackQuery,
  type PackSummaryRecord,
  type PackVersionRecord,
  type Page,
  type PublisherAuditRecord,
  type PublisherBinding,
  type ReferrerRecord,
  type RegistryIndex,
  type TagRecord,
  type UploadSession,
  type YankRecord,
} from '../ports.ts';

/*
 * One table, generic keys. See docs/storage.md for the full access-pattern table.
 *
 *   pk                   sk                              item
 *   BLOB#<digest>        BLOB                            blob record (global)
 *   UPLOAD#<id>          UPLOAD                          upload session (ttl)
 *   REPO#<repository>    BLOB#<digest>                   blob link (the repository may read it)
 *                        MANIFEST#<digest>               manifest
 *                        TAG#<tag>                       tag
 *                        REFERRER#<subject>#<digest>     referrer
 *                        VERSION#<versionSortKey>        pack version
 *                        PACK                            pack summary      gsi1: PACKS
 *                        PACK#BASE | #LAYER | #ADDON     search facets     gsi1: PACKS#<facet>#<value>
 *                        PACK#CLOUD#<cloudType>          search facet      gsi1: PACKS#CLOUD#<cloudType>
 *   CATALOG              <repository>                    catalog entry
 *   CREDENTIALS          <username>                      credential
 *   PUBLISHERS           <repository lower case>#<id>    trusted publisher (GitHub OIDC binding)
 *   JTI#<sha256>         JTI                             OIDC ID token seen (ttl: replay guard)
 *   AUDIT#<binding id>   <time>#<event>#<random>          trusted-publishing audit record
 *
 * gsi1 (gsi1pk, gsi1sk = `<name>#<basePath>`, projection ALL) serves pack listing and search.
 */

export const GSI1 = 'gsi1';
/** The GC mark on a pack version's extracted files `packs/<hex>/…` (docs/storage.md). */
export const packFilesKey = (hex: string): Key => ({ pk: `PACKFILES#${hex}`, sk: 'PACKFILES' });
/** Attributes that are keys or bookkeeping, never part of a record. */
const INTERNAL = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'ttl', 'kind']);
/** Query calls one filtered listPacks page may spend before returning what it has (with a cursor). */
const MAX_FILTERED_QUERIES = 10;
/** How many items a filtered query evaluates per call. */
const FILTERED_BATCH = 100;
/** Retries of a conditional write whose conflicting item vanished before it could be read. */
const CONFLICT_RETRIES = 5;

/** An opaque cursor that does not decode, or belongs to another listing. */
export class InvalidCursorError extends Error {}

export type Item = Record<string, AttributeValue>;
export type Key = { pk: string; sk: string };

const repoPk = (repository: string) => `REPO#${repository}`;
const keys = {
  blob: (digest: string): Key => ({ pk: `BLOB#${digest}`, sk: 'BLOB' }),
  upload: (id: string): Key => ({ pk: `UPLOAD#${id}`, sk: 'UPLOAD' }),
  blobLink: (repository: string, digest: string): Key => ({ pk: repoPk(repository), sk: `BLOB#${digest}` }),
  manifest: (repository: string, digest: string): Key => ({
    pk: repoPk(repository),
    sk: `MANIFEST#${digest}`,
  }),
  tag: (repository: string, tag: string): Key => ({ pk: repoPk(repository), sk: `TAG#${tag}` }),
  referrer: (repository: string, subject: string, digest: string): Key => ({
    pk: repoPk(repository),
    sk: `REFERRER#${subject}#${digest}`,
  }),
  packVersion: (repository: string, version: string): Key => ({
    pk: repoPk(repository),
    sk: `VERSION#${versionSortKey(version)}`,
  }),
  packSummary: (repository: string): Key => ({ pk: repoPk(repository), sk: 'PACK' }),
  packFacet: (repository: string, facet: string): Key => ({ pk: repoPk(repository), sk: `PACK#${facet}` }),
  catalog: (repository: string): Key => ({ pk: 'CATALOG', sk: repository }),
  credential: (username: string): Key => ({ pk: 'CREDENTIALS', sk: username }),
  publisher: (repository: string, id: string): Key => ({
    pk: 'PUBLISHERS',
    sk: `${repository.toLowerCase()}#${id}`,
  }),
  // Hashed: the issuer is a URL and `jti` is free text; a digest keeps the key short and fixed.
  tokenId: (issuer: string, jti: string): Key => ({
    pk: `JTI#${createHash('sha256').update(`${issuer}\0${jti}`).digest('hex')}`,
    sk: 'JTI',
  }),
  audit: (record: PublisherAuditRecord): Key => ({
    pk: `AUDIT#${record.bindingId}`,
    sk: `${record.at}#${record.event}#${randomBytes(4).toString('hex')}`,
  }),
};

/** The table: generic keys, one GSI, on-demand billing. The CDK stack reuses this definition. */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'gsi1pk', AttributeType: 'S' },
      { AttributeName: 'gsi1sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: GSI1,
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

/** The attribute DynamoDB TTL deletes by (epoch seconds): upload sessions and seen ID token ids. */
export const TTL_ATTRIBUTE = 'ttl';

/** Creates the table if absent, waits until it is ACTIVE, and enables TTL on `ttl`. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    let status: string | undefined;
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      status = Table?.TableStatus;
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ResourceNotFoundException')) throw error;
      try {
        await client.send(new CreateTableCommand(tableDefinition(tableName)));
      } catch (createError) {
        // Created by a concurrent caller in the meantime: wait for it like for our own.
        if (!(createError instanceof Error && createError.name === 'ResourceInUseException'))
          throw createError;
      }
    }
    if (status === 'ACTIVE') break;
    if (attempt >= 600) throw new Error(`table ${tableName} did not become ACTIVE`);
    await new Promise((resolve) => setTimeout(resolve, attempt < 20 ? 25 : 500));
  }
  try {
    const { TimeToLiveDescription: ttl } = await client.send(
      new DescribeTimeToLiveCommand({ TableName: tableName }),
    );
    if (ttl?.TimeToLiveStatus === 'ENABLED' || ttl?.TimeToLiveStatus === 'ENABLING') return;
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  } catch (error) {
    // dynalite implements DescribeTimeToLive but not UpdateTimeToLive (UnknownOperationException),
    // and never expires items anyway: getUpload checks expiresAt itself, so this is harmless.
    if (!(error instanceof Error && error.name === 'UnknownOperationException')) throw error;
  }
}

/**
 * RegistryIndex over one DynamoDB table (see tableDefinition). Only GetItem, Query, PutItem,
 * UpdateItem and DeleteItem; reads of the base table are strongly consistent (a pushed manifest
 * is pullable at once), the pack search GSI is eventually consistent.
 */
export class DynamoIndex implements RegistryIndex {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    /** Clock for upload expiry (epoch seconds); injectable for tests. */
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  // ---- Blobs ----

  async getBlob(digest: string): Promise<BlobRecord | undefined> {
    return this.get<BlobRecord>(keys.blob(digest));
  }

  async putBlob(blob: BlobRecord): Promise<void> {
    // Overwriting clears a `condemned` mark; a blob the collector is deleting is refused.
    const e = new Expr();
    try {
      await this.put(
        { ...keys.blob(blob.digest), kind: 'blob', ...blob, gcState: undefined, gcAt: undefined },
        e,
        `attribute_not_exists(${e.name('gcState')}) OR ${e.name('gcState')} = ${e.value('condemned')}`,
      );
    } catch (err) {
      if (isConditionFailure(err)) throw new ConflictError(`blob ${blob.digest} is being garbage-collected`);
      throw err;
    }
  }

  async linkBlob(repository: string, blob: BlobRecord): Promise<void> {
    const { gcState: _s, gcAt: _a, ...plain } = blob;
    await this.put({ ...keys.blobLink(repository, blob.digest), kind: 'blob-link', ...plain });
  }

  async reviveBlob(digest: string): Promise<boolean> {
    return this.clearCondemned(keys.blob(digest));
  }

  async getPackFilesState(hex: string): Promise<GcState | undefined> {
    return (await this.get<{ gcState?: GcState }>(packFilesKey(hex)))?.gcState;
  }

  async revivePackFiles(hex: string): Promise<boolean> {
    return this.clearCondemned(packFilesKey(hex));
  }

  /** REMOVE the GC mark if it is `condemned` (or absent); false if the item is gone or `deleting`. */
  private async clearCondemned(key: Key): Promise<boolean> {
    const e = new Expr();
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: toItem(key),
          UpdateExpression: `REMOVE ${e.name('gcState')}, ${e.name('gcAt')}`,
          ConditionExpression: `attribute_exists(${e.name('pk')}) AND (attribute_not_exists(${e.name('gcState')}) OR ${e.name('gcState')} = ${e.value('condemned')})`,
          ...e.attributes(),
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  /** SET attributes on an existing item only; false if it is gone. */
  private async updateExisting(
    key: Key,
    set: Record<string, unknown>,
    remove: string[] = [],
  ): Promise<boolean> {
    const e = new Expr();
    const sets = Object.entries(set).map(([name, value]) => `${e.name(name)} = ${e.value(value)}`);
    const removes = remove.map((name) => e.name(name));
    const update = [
      sets.length ? `SET ${sets.join(', ')}` : '',
      removes.length ? `REMOVE ${removes.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: toItem(key),
          UpdateExpression: update,
          ConditionExpression: `attribute_exists(${e.name('pk')})`,
          ...e.attributes(),
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async getBlobLink(repository: string, digest: string): Promise<BlobRecord | undefined> {
    return this.get<BlobRecord>(keys.blobLink(repository, digest));
  }

  async unlinkBlob(repository: string, digest: string): Promise<void> {
    await this.delete(keys.blobLink(repository, digest));
  }

  // ---- Upload sessions ----

  async createUpload(upload: UploadSession): Promise<void> {
    const e = new Expr();
    try {
      await this.put(
        { ...keys.upload(upload.id), kind: 'upload', ...upload, ttl: upload.expiresAt },
        e,
        `attribute_not_exists(${e.name('pk')})`,
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ConflictError(`upload ${upload.id} already exists`);
      throw error;
    }
  }

  /** The session, unless absent or expired (TTL deletes lazily, up to days late: check here). */
  async getUpload(id: string): Promise<UploadSession | undefined> {
    const upload = await this.get<UploadSession>(keys.upload(id));
    return upload && upload.expiresAt > this.now() ? upload : undefined;
  }

  async advanceUpload(id: string, expectedOffset: number, offset: number, parts: string[]): Promise<void> {
    const e = new Expr();
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: toItem(keys.upload(id)),
          UpdateExpression: `SET ${e.name('offset')} = ${e.value(offset)}, ${e.name('chunks')} = ${e.value(parts.length)}, ${e.name('parts')} = ${e.value(parts)}`,
          ConditionExpression: `attribute_exists(${e.name('pk')}) AND ${e.name('offset')} = ${e.value(expectedOffset)} AND ${e.name('expiresAt')} > ${e.value(this.now())}`,
          ...e.attributes(),
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new ConflictError(
          `upload ${id} is no longer at offset ${expectedOffset} (or is gone or expired)`,
        );
      }
      throw error;
    }
  }

  async deleteUpload(id: string): Promise<void> {
    await this.delete(keys.upload(id));
  }

  // ---- Manifests ----

  async putManifest(manifest: ManifestRecord): Promise<void> {
    await this.put({ ...keys.manifest(manifest.repository, manifest.digest), kind: 'manifest', ...manifest });
  }

  async getManifest(repository: string, digest: string): Promise<ManifestRecord | undefined> {
    return this.get<ManifestRecord>(keys.manifest(repository, digest));
  }

  async touchManifest(repository: string, digest: string, at: string): Promise<boolean> {
    return this.updateExisting(keys.manifest(repository, digest), { createdAt: at });
  }

  async deleteManifest(repository: string, digest: string): Promise<void> {
    await this.delete(keys.manifest(repository, digest));
  }

  // ---- Tags ----

  async getTag(repository: string, tag: string): Promise<TagRecord | undefined> {
    return this.get<TagRecord>(keys.tag(repository, tag));
  }

  /**
   * One conditional UpdateItem. An immutable tag may only be created or re-pointed at the digest
   * it already holds; a mutable put may not move a tag that is immutable, and never clears the
   * immutable flag (if_not_exists keeps it).
   */
  async putTag(tag: TagRecord): Promise<void> {
    const key = keys.tag(tag.repository, tag.tag);
    for (let attempt = 0; ; attempt++) {
      const e = new Expr();
      const digest = e.value(tag.digest);
      const immutable = e.name('immutable');
      const sets = [
        `${e.name('kind')} = ${e.value('tag')}`,
        `${e.name('repository')} = ${e.value(tag.repository)}`,
        `${e.name('tag')} = ${e.value(tag.tag)}`,
        `${e.name('digest')} = ${digest}`,
        `${e.name('mediaType')} = ${e.value(tag.mediaType)}`,
        `${e.name('updatedAt')} = ${e.value(tag.updatedAt)}`,
        tag.immutable
          ? `${immutable} = ${e.value(true)}`
          : `${immutable} = if_not_exists(${immutable}, ${e.value(false)})`,
      ];
      if (tag.size !== undefined) sets.push(`${e.name('size')} = ${e.value(tag.size)}`);
      if (tag.bytes) sets.push(`${e.name('bytes')} = ${e.value(tag.bytes)}`);
      // A tag moved to a manifest kept out of line must not keep the old copy.
      const remove = tag.bytes ? '' : ` REMOVE ${e.name('bytes')}`;
      const condition = tag.immutable
        ? `attribute_not_exists(${e.name('pk')}) OR ${e.name('digest')} = ${digest}`
        : `attribute_not_exists(${e.name('pk')}) OR ${immutable} = ${e.value(false)} OR ${e.name('digest')} = ${digest}`;
      try {
        await this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: toItem(key),
            UpdateExpression: `SET ${sets.join(', ')}${remove}`,
            ConditionExpression: condition,
            ...e.attributes(),
          }),
        );
        return;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const existing = await this.get<TagRecord>(key);
      // Deleted or re-pointed at our digest since the write failed: the write can now succeed.
      if (existing && existing.digest !== tag.digest) {
        throw new ConflictError(
          `tag ${tag.repository}:${tag.tag} is immutable and points at ${existing.digest}`,
          existing.digest,
        );
      }
      if (attempt >= CONFLICT_RETRIES)
        throw new ConflictError(`tag ${tag.repository}:${tag.tag} keeps changing`);
    }
  }

  async deleteTag(repository: string, tag: string): Promise<void> {
    await this.delete(keys.tag(repository, tag));
  }

  async setTagYanked(repository: string, tag: string, yanked: boolean): Promise<boolean> {
    const key = keys.tag(repository, tag);
    return yanked ? this.updateExisting(key, { yanked: true }) : this.updateExisting(key, {}, ['yanked']);
  }

  async listTags(
    repository: string,
    n: number,
    last?: string,
  ): Promise<{ tags: TagRecord[]; more: boolean }> {
    const e = new Expr();
    const page = await this.queryPage(
      {
        KeyConditionExpression: `${e.name('pk')} = ${e.value(repoPk(repository))} AND begins_with(${e.name('sk')}, ${e.value('TAG#')})`,
        // Listing never needs the manifest copies.
        ProjectionExpression: [
          'pk',
          'sk',
          'repository',
          'tag',
          'digest',
          'mediaType',
          'immutable',
          'updatedAt',
          'size',
          'yanked',
        ]
          .map((a) => e.name(a))
          .join(', '),
        ConsistentRead: true,
        ...e.attributes(),
      },
      n,
      last ? toItem(keys.tag(repository, last)) : undefined,
    );
    return { tags: page.items.map((item) => record<TagRecord>(item)), more: page.next !== undefined };
  }

  // ---- Repository catalog ----

  async addRepository(repository: string): Promise<void> {
    await this.put({ ...keys.catalog(repository), kind: 'repository', repository });
  }

  async listRepositories(n: number, last?: string): Promise<{ repositories: string[]; more: boolean }> {
    const e = new Expr();
    const page = await this.queryPage(
      {
        KeyConditionExpression: `${e.name('pk')} = ${e.value('CATALOG')}`,
        ConsistentRead: true,
        ...e.attributes(),
      },
      n,
      last ? toItem(keys.catalog(last)) : undefined,
    );
    return {
      repositories: page.items.map((item) => record<{ repository: string }>(item).repository),
      more: page.next !== undefined,
    };
  }

  // ---- Referrers ----

  async putReferrer(referrer: ReferrerRecord): Promise<void> {
    await this.put({
      ...keys.referrer(referrer.repository, referrer.subject, referrer.digest),
      kind: 'referrer',
      ...referrer,
    });
  }

  async listReferrers(repository: string, subject: string): Promise<ReferrerRecord[]> {
    const e = new Expr();
    const items = await this.queryAll({
      KeyConditionExpression: `${e.name('pk')} = ${e.value(repoPk(repository))} AND begins_with(${e.name('sk')}, ${e.value(`REFERRER#${subject}#`)})`,
      ConsistentRead: true,
      ...e.attributes(),
    });
    return items.map((item) => record<ReferrerRecord>(item));
  }

  async deleteReferrer(repository: string, subject: string, digest: string): Promise<void> {
    await this.delete(keys.referrer(repository, subject, digest));
  }

  // ---- Packs ----

  /**
   * Conditional PutItem: creates the version, or rewrites it when it already holds the same
   * manifest digest (an idempotent retry); otherwise ConflictError with the existing digest.
   * The item's sort key is always derived from `version` (versionSortKey), so getPackVersion can
   * address it by version alone.
   */
  async putPackVersion(version: PackVersionRecord): Promise<void> {
    const key = keys.packVersion(version.repository, version.version);
    for (let attempt = 0; ; attempt++) {
      const e = new Expr();
      try {
        await this.put(
          { ...key, kind: 'pack-version', ...version },
          e,
          `attribute_not_exists(${e.name('pk')}) OR ${e.name('manifestDigest')} = ${e.value(version.manifestDigest)}`,
        );
        return;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const existing = await this.get<PackVersionRecord>(key);
      if (existing && existing.manifestDigest !== version.manifestDigest) {
        throw new ConflictError(
          `${version.repository} ${version.version} already exists with manifest ${existing.manifestDigest}`,
          existing.manifestDigest,
        );
      }
      if (attempt >= CONFLICT_RETRIES) {
        throw new ConflictError(`${version.repository} ${version.version} keeps changing`);
      }
    }
  }

  async getPackVersion(repository: string, version: string): Promise<PackVersionRecord | undefined> {
    return this.get<PackVersionRecord>(keys.packVersion(repository, version));
  }

  async getPackVersions(
    wanted: readonly { repository: string; version: string }[],
  ): Promise<(PackVersionRecord | undefined)[]> {
    const items = await this.batchGet(
      wanted.map(({ repository, version }) => keys.packVersion(repository, version)),
    );
    return items.map((item) => (item ? record<PackVersionRecord>(item) : undefined));
  }

  async setPackVersionYank(
    repository: string,
    version: string,
    yank: YankRecord | undefined,
  ): Promise<boolean> {
    const key = keys.packVersion(repository, version);
    return yank ? this.updateExisting(key, { yanked: yank }) : this.updateExisting(key, {}, ['yanked']);
  }

  async deletePackVersion(repository: string, version: string): Promise<void> {
    await this.delete(keys.packVersion(repository, version));
  }

  async listPackVersions(
    repository: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<PackVersionRecord>> {
    const pk = repoPk(repository);
    const e = new Expr();
    const page = await this.queryPage(
      {
        KeyConditionExpression: `${e.name('pk')} = ${e.value(pk)} AND begins_with(${e.name('sk')}, ${e.value('VERSION#')})`,
        ScanIndexForward: false,
        ConsistentRead: true,
        ...e.attributes(),
      },
      limit,
      cursor === undefined ? undefined : decodeCursor(cursor, { pk }),
    );
    return { items: page.items.map((item) => record<PackVersionRecord>(item)), next: page.next };
  }

  /**
   * Write order (each step a single-item conditional write, the whole sequence idempotent):
   * 1. the summary item (gsi1 `PACKS`), only if no newer version's summary is stored — if one
   *    is, stop: that writer owns the facets;
   * 2. every facet item the summary needs (base path, layer, addon type, one per cloud type),
   *    each guarded the same way, so a slower writer of an older version cannot overwrite them;
   * 3. facets the summary no longer has (found with a Query of the pack's `PACK#` items) become
   *    tombstones without gsi1 keys — invisible to search, and still guarding against an older
   *    writer re-creating them.
   * A crash after 1 leaves the summary listed and some facets stale (pointing at the previous
   * version of the same pack, never at a missing one); the retry rewrites them.
   */
  async putPackSummary(summary: PackSummaryRecord): Promise<void> {
    const { repository, latestVersionKey } = summary;
    const sortKey = `${summary.name}#${summary.basePath}`;
    const guarded = async (item: Record<string, unknown>): Promise<boolean> => {
      const e = new Expr();
      try {
        await this.put(
          item,
          e,
          `attribute_not_exists(${e.name('pk')}) OR ${e.name('latestVersionKey')} <= ${e.value(latestVersionKey)}`,
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false; // a newer version got there first
        throw error;
      }
    };
    const written = await guarded({
      ...keys.packSummary(repository),
      kind: 'pack',
      ...summary,
      gsi1pk: 'PACKS',
      gsi1sk: sortKey,
    });
    if (!written) return;

    const wanted = new Map<string, string>([
      ['BASE', `PACKS#BASE#${summary.basePath}`],
      ['LAYER', `PACKS#LAYER#${summary.layer}`],
    ]);
    if (summary.addonType) wanted.set('ADDON', `PACKS#ADDON#${summary.addonType}`);
    for (const cloudType of new Set(summary.cloudTypes))
      wanted.set(`CLOUD#${cloudType}`, `PACKS#CLOUD#${cloudType}`);
    const existing = (await this.packFacets(repository)).map((item) => str(item.sk).slice('PACK#'.length));

    await Promise.all([
      ...[...wanted].map(([facet, gsi1pk]) =>
        guarded({
          ...keys.packFacet(repository, facet),
          kind: 'pack-facet',
          ...summary,
          gsi1pk,
          gsi1sk: sortKey,
        }),
      ),
      ...existing
        .filter((facet) => !wanted.has(facet))
        .map((facet) =>
          guarded({ ...keys.packFacet(repository, facet), kind: 'pack-facet', repository, latestVersionKey }),
        ),
    ]);
  }

  /**
   * Facets first, summary last: a crash in between leaves the pack listed (the summary, whose
   * facets are partly gone) and the retry finishes. Nothing is left that names a deleted pack.
   */
  async deletePackSummary(repository: string): Promise<void> {
    const facets = await this.packFacets(repository);
    await Promise.all(facets.map((item) => this.delete({ pk: str(item.pk), sk: str(item.sk) })));
    await this.delete(keys.packSummary(repository));
  }

  /**
   * One gsi1 partition per page: the most selective filter given (basePath, addonType,
   * cloudType, layer, in that order) picks the partition, the name prefix is a begins_with on
   * gsi1sk, and any other filters become a FilterExpression. A filtered page stops after
   * MAX_FILTERED_QUERIES calls even if short, and returns a cursor to continue.
   */
  async listPacks(query: PackQuery): Promise<Page<PackSummaryRecord>> {
    const e = new Expr();
    const filters: string[] = [];
    let partition = 'PACKS';
    // The filter is built only when used: Expr sends just the names and values an expression uses.
    const use = (candidate: string, filter: () => string) => {
      if (partition === 'PACKS') partition = candidate;
      else filters.push(filter());
    };
    if (query.basePath !== undefined) {
      const basePath = query.basePath;
      use(`PACKS#BASE#${basePath}`, () => `${e.name('basePath')} = ${e.value(basePath)}`);
    }
    if (query.addonType) {
      const addonType = query.addonType;
      use(`PACKS#ADDON#${addonType}`, () => `${e.name('addonType')} = ${e.value(addonType)}`);
    }
    if (query.cloudType) {
      const cloudType = query.cloudType;
      use(`PACKS#CLOUD#${cloudType}`, () => `contains(${e.name('cloudTypes')}, ${e.value(cloudType)})`);
    }
    if (query.layer) {
      const layer = query.layer;
      use(`PACKS#LAYER#${layer}`, () => `${e.name('layer')} = ${e.value(layer)}`);
    }

    let keyCondition = `${e.name('gsi1pk')} = ${e.value(partition)}`;
    if (query.prefix) keyCondition += ` AND begins_with(${e.name('gsi1sk')}, ${e.value(query.prefix)})`;
    const page = await this.queryPage(
      {
        IndexName: GSI1,
        KeyConditionExpression: keyCondition,
        FilterExpression: filters.length > 0 ? filters.join(' AND ') : undefined,
        ...e.attributes(),
      },
      query.limit,
      query.cursor === undefined ? undefined : decodeCursor(query.cursor, { gsi1pk: partition }, true),
      filters.length > 0,
    );
    return { items: page.items.map((item) => record<PackSummaryRecord>(item)), next: page.next };
  }

  // ---- Credentials ----

  async getCredential(username: string): Promise<CredentialRecord | undefined> {
    return this.get<CredentialRecord>(keys.credential(username));
  }

  async putCredential(credential: CredentialRecord): Promise<void> {
    await this.put({ ...keys.credential(credential.username), kind: 'credential', ...credential });
  }

  async deleteCredential(username: string): Promise<boolean> {
    const out = await this.client.send(
      new DeleteItemCommand({
        TableName: this.tableName,
        Key: toItem(keys.credential(username)),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return out.Attributes !== undefined;
  }

  async createCredential(credential: CredentialRecord): Promise<boolean> {
    const e = new Expr();
    try {
      await this.put(
        { ...keys.credential(credential.username), kind: 'credential', ...credential },
        e,
        `attribute_not_exists(${e.name('pk')})`,
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async touchCredential(username: string, at: string): Promise<void> {
    await this.updateExisting(keys.credential(username), { lastUsedAt: at });
  }

  async listCredentials(): Promise<CredentialRecord[]> {
    const e = new Expr();
    const items = await this.queryAll({
      KeyConditionExpression: `${e.name('pk')} = ${e.value('CREDENTIALS')}`,
      ConsistentRead: true,
      ...e.attributes(),
    });
    return items.map((item) => record<CredentialRecord>(item));
  }

  // ---- Trusted publishing ----

  async putPublisher(binding: PublisherBinding): Promise<void> {
    await this.put({ ...keys.publisher(binding.repository, binding.id), kind: 'publisher', ...binding });
  }

  async listPublishersFor(repository: string): Promise<PublisherBinding[]> {
    const e = new Expr();
    const items = await this.queryAll({
      KeyConditionExpression: `${e.name('pk')} = ${e.value('PUBLISHERS')} AND begins_with(${e.name('sk')}, ${e.value(`${repository.toLowerCase()}#`)})`,
      ConsistentRead: true,
      ...e.attributes(),
    });
    return items.map((item) => record<PublisherBinding>(item));
  }

  async listPublishers(): Promise<PublisherBinding[]> {
    const e = new Expr();
    const items = await this.queryAll({
      KeyConditionExpression: `${e.name('pk')} = ${e.value('PUBLISHERS')}`,
      ConsistentRead: true,
      ...e.attributes(),
    });
    return items.map((item) => record<PublisherBinding>(item));
  }

  /** The id alone does not give the sort key (it starts with the repository): one Query finds it. */
  async deletePublisher(id: string): Promise<PublisherBinding | undefined> {
    const found = (await this.listPublishers()).find((b) => b.id === id);
    if (!found) return undefined;
    const out = await this.client.send(
      new DeleteItemCommand({
        TableName: this.tableName,
        Key: toItem(keys.publisher(found.repository, found.id)),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return out.Attributes ? record<PublisherBinding>(out.Attributes) : undefined;
  }

  /**
   * A conditional PutItem that only succeeds for a `jti` not seen before (or seen, but past the
   * expiry it was recorded with: TTL deletes lazily, so an expired item must not block a reuse —
   * though an expired token is refused before it gets here anyway).
   */
  async claimTokenId(issuer: string, jti: string, expiresAt: number): Promise<boolean> {
    const e = new Expr();
    try {
      await this.put(
        { ...keys.tokenId(issuer, jti), kind: 'oidc-jti', issuer, expiresAt, ttl: expiresAt },
        e,
        `attribute_not_exists(${e.name('pk')}) OR ${e.name('expiresAt')} < ${e.value(this.now())}`,
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async putPublisherAudit(audit: PublisherAuditRecord): Promise<void> {
    await this.put({ ...keys.audit(audit), kind: 'publisher-audit', ...audit });
  }

  async listPublisherAudit(
    bindingId: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<PublisherAuditRecord>> {
    const pk = `AUDIT#${bindingId}`;
    const e = new Expr();
    const page = await this.queryPage(
      {
        KeyConditionExpression: `${e.name('pk')} = ${e.value(pk)}`,
        ScanIndexForward: false,
        ConsistentRead: true,
        ...e.attributes(),
      },
      limit,
      cursor === undefined ? undefined : decodeCursor(cursor, { pk }),
    );
    return { items: page.items.map((item) => record<PublisherAuditRecord>(item)), next: page.next };
  }

  // ---- Helpers ----

  private async get<T>(key: Key): Promise<T | undefined> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: toItem(key), ConsistentRead: true }),
    );
    return out.Item ? record<T>(out.Item) : undefined;
  }

  /**
   * GetItem for many keys: BatchGetItem in groups of 100, asking again for what DynamoDB left
   * unprocessed (throttling, 16 MB answers). Results follow `wanted`; duplicates are fine.
   */
  private async batchGet(wanted: readonly Key[]): Promise<(Item | undefined)[]> {
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
    return wanted.map((k) => found.get(id(k)));
  }

  private async put(item: Record<string, unknown>, expr?: Expr, condition?: string): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: toItem(item),
        ConditionExpression: condition,
        ...expr?.attributes(),
      }),
    );
  }

  private async delete(key: Key): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: toItem(key) }));
  }

  private async packFacets(repository: string): Promise<Item[]> {
    const e = new Expr();
    return this.queryAll({
      KeyConditionExpression: `${e.name('pk')} = ${e.value(repoPk(repository))} AND begins_with(${e.name('sk')}, ${e.value('PACK#')})`,
      ConsistentRead: true,
      ...e.attributes(),
    });
  }

  /** Every item a query matches (for small, bounded item collections). */
  private async queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]> {
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
   * filtered query runs out of its call budget, of the last item evaluated).
   */
  private async queryPage(
    input: Omit<QueryCommandInput, 'TableName'>,
    limit: number,
    start?: Item,
    filtered = false,
  ): Promise<{ items: Item[]; next?: string }> {
    if (!(limit > 0)) return { items: [] };
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
      items.push(...(out.Items ?? []));
      if (items.length > limit) {
        items.length = limit;
        return { items, next: encodeCursor(keyOf(items[limit - 1] as Item, input.IndexName !== undefined)) };
      }
      if (!out.LastEvaluatedKey) return { items };
      exclusiveStart = out.LastEvaluatedKey;
      if (filtered && calls >= MAX_FILTERED_QUERIES) return { items, next: encodeCursor(exclusiveStart) };
    }
  }
}

// ---- Expressions ----

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
    this.values[placeholder] = toAttr(value);
    return placeholder;
  }

  attributes(): Pick<QueryCommandInput, 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> {
    return {
      ExpressionAttributeNames: Object.keys(this.names).length > 0 ? this.names : undefined,
      ExpressionAttributeValues: this.count > 0 ? this.values : undefined,
    };
  }
}

export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
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
function decodeCursor(cursor: string, expected: Record<string, string>, index = false): Item {
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

// ---- Attribute mapping (plain JSON-like values and byte arrays) ----

function toAttr(value: unknown): AttributeValue {
  if (value === null || value === undefined) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`cannot store ${value} in DynamoDB`);
    return { N: String(value) };
  }
  if (typeof value === 'boolean') return { BOOL: value };
  if (value instanceof Uint8Array) return { B: value };
  if (Array.isArray(value)) return { L: value.map(toAttr) };
  if (typeof value === 'object') return { M: toItem(value as Record<string, unknown>) };
  throw new TypeError(`cannot store a ${typeof value} in DynamoDB`);
}

/** Record → item; undefined properties are left out. */
export function toItem(object: object): Item {
  const item: Item = {};
  for (const [name, value] of Object.entries(object)) if (value !== undefined) item[name] = toAttr(value);
  return item;
}

function fromAttr(value: AttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.B !== undefined) return value.B;
  if (value.NULL !== undefined) return null;
  if (value.L !== undefined) return value.L.map(fromAttr);
  if (value.M !== undefined) return fromItem(value.M);
  if (value.SS !== undefined) return [...value.SS];
  if (value.NS !== undefined) return value.NS.map(Number);
  if (value.BS !== undefined) return [...value.BS];
  throw new TypeError('unsupported DynamoDB attribute value');
}

export function fromItem(item: Item): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).map(([name, value]) => [name, fromAttr(value)]));
}

/** An item as the record it stores: keys and bookkeeping attributes removed. */
export function record<T>(item: Item): T {
  const plain = fromItem(item);
  for (const name of INTERNAL) delete plain[name];
  return plain as T;
}

function str(value: AttributeValue | undefined): string {
  if (value?.S === undefined) throw new TypeError('expected a string attribute');
  return value.S;
}
