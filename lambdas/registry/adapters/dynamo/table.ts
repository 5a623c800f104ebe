import { createHash, randomBytes } from 'node:crypto';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { versionSortKey } from '../../../../core/version.ts';
import type { PublisherAuditRecord } from '../../ports.ts';

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
/** The attribute DynamoDB TTL deletes by (epoch seconds): upload sessions, seen ID token ids, failed-login windows. */
export const TTL_ATTRIBUTE = 'ttl';
/** Attributes that are keys or bookkeeping, never part of a record. */
export const INTERNAL_ATTRIBUTES: ReadonlySet<string> = new Set([
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  TTL_ATTRIBUTE,
  'kind',
]);

export type Key = { pk: string; sk: string };

export const repoPk = (repository: string) => `REPO#${repository}`;
export const auditPk = (bindingId: string) => `AUDIT#${bindingId}`;
export const CATALOG_PK = 'CATALOG';
export const CREDENTIALS_PK = 'CREDENTIALS';
export const PUBLISHERS_PK = 'PUBLISHERS';
/** Sort-key prefixes of the items in a repository's partition. */
export const SK = {
  tag: 'TAG#',
  referrer: (subject: string) => `REFERRER#${subject}#`,
  version: 'VERSION#',
  facet: 'PACK#',
  publishersOf: (repository: string) => `${repository.toLowerCase()}#`,
};

export const keys = {
  blob: (digest: string): Key => ({ pk: `BLOB#${digest}`, sk: 'BLOB' }),
  /** The GC mark on a pack version's extracted files `packs/<hex>/…` (docs/storage.md). */
  packFiles: (hex: string): Key => ({ pk: `PACKFILES#${hex}`, sk: 'PACKFILES' }),
  upload: (id: string): Key => ({ pk: `UPLOAD#${id}`, sk: 'UPLOAD' }),
  blobLink: (repository: string, digest: string): Key => ({ pk: repoPk(repository), sk: `BLOB#${digest}` }),
  manifest: (repository: string, digest: string): Key => ({
    pk: repoPk(repository),
    sk: `MANIFEST#${digest}`,
  }),
  tag: (repository: string, tag: string): Key => ({ pk: repoPk(repository), sk: `${SK.tag}${tag}` }),
  referrer: (repository: string, subject: string, digest: string): Key => ({
    pk: repoPk(repository),
    sk: `${SK.referrer(subject)}${digest}`,
  }),
  packVersion: (repository: string, version: string): Key => ({
    pk: repoPk(repository),
    sk: `${SK.version}${versionSortKey(version)}`,
  }),
  packSummary: (repository: string): Key => ({ pk: repoPk(repository), sk: 'PACK' }),
  packFacet: (repository: string, facet: string): Key => ({
    pk: repoPk(repository),
    sk: `${SK.facet}${facet}`,
  }),
  catalog: (repository: string): Key => ({ pk: CATALOG_PK, sk: repository }),
  credential: (username: string): Key => ({ pk: CREDENTIALS_PK, sk: username }),
  publisher: (repository: string, id: string): Key => ({
    pk: PUBLISHERS_PK,
    sk: `${SK.publishersOf(repository)}${id}`,
  }),
  // Hashed: the issuer is a URL and `jti` is free text; a digest keeps the key short and fixed.
  tokenId: (issuer: string, jti: string): Key => ({
    pk: `JTI#${createHash('sha256').update(`${issuer}\0${jti}`).digest('hex')}`,
    sk: 'JTI',
  }),
  // Hashed: user names and addresses are the client's text; a digest keeps the key short and fixed.
  loginFailures: (key: string): Key => ({
    pk: `LOGINFAIL#${createHash('sha256').update(key).digest('hex')}`,
    sk: 'LOGINFAIL',
  }),
  audit: (record: PublisherAuditRecord): Key => ({
    pk: auditPk(record.bindingId),
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

/** Creates the table if absent, waits until it is ACTIVE, and enables TTL on TTL_ATTRIBUTE. */
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
