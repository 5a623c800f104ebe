import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { createDynamoClient, createS3Client } from '../registry/adapters/clients.ts';
import { ensureTable } from '../registry/adapters/dynamo/table.ts';
import { createDynamoIndex } from '../registry/adapters/dynamo-index.ts';
import { S3BlobStore } from '../registry/adapters/s3-blob-store.ts';
import type { RegistryIndex } from '../registry/ports.ts';

export const DEFAULT_BUCKET = 'packyard-blobs';
export const DEFAULT_TABLE = 'packyard';

/** Creates the bucket unless it exists. */
export async function ensureBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return;
  } catch (error) {
    if (!(error instanceof Error && (error.name === 'NotFound' || error.name === 'NoSuchBucket')))
      throw error;
  }
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if (!(error instanceof Error && error.name === 'BucketAlreadyOwnedByYou')) throw error;
  }
}

export interface EmbeddedStorageOptions {
  /** Data lives in `<dataDir>/s3` and `<dataDir>/dynamodb`, and survives restarts. */
  dataDir: string;
  /** Interface the servers listen on (ephemeral ports). */
  host?: string;
  bucket?: string;
  table?: string;
}

export interface EmbeddedStorage {
  s3: { endpoint: string; bucket: string; client: S3Client };
  dynamodb: { endpoint: string; table: string; client: DynamoDBClient };
  blobStore: S3BlobStore;
  index: RegistryIndex;
  /** Stops both servers and the clients; the data stays on disk. */
  close(): Promise<void>;
}

// s3rver and dynalite ship no type declarations: the little used of them, described here.
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  vhostBuckets: boolean;
}) => S3rverInstance;
type DynaliteFactory = (options: { path?: string; createTableMs?: number }) => Server;

/**
 * Starts s3rver and dynalite in-process on ephemeral ports (real S3 and DynamoDB wire protocols,
 * data on disk), creates the bucket and table if absent, and wires the storage adapters to them.
 */
export async function startEmbeddedStorage(options: EmbeddedStorageOptions): Promise<EmbeddedStorage> {
  const host = options.host ?? '127.0.0.1';
  const bucket = options.bucket ?? DEFAULT_BUCKET;
  const table = options.table ?? DEFAULT_TABLE;
  const s3Dir = path.join(options.dataDir, 's3');
  const dynamoDir = path.join(options.dataDir, 'dynamodb');
  await mkdir(s3Dir, { recursive: true });
  await mkdir(dynamoDir, { recursive: true });

  // Loaded on demand (only local mode needs them); the specifiers are typed as plain strings
  // because the packages have no declarations.
  const S3rver = ((await import('s3rver' as string)) as { default: S3rverConstructor }).default;
  const dynalite = ((await import('dynalite' as string)) as { default: DynaliteFactory }).default;

  const s3rver = new S3rver({ address: host, port: 0, directory: s3Dir, silent: true, vhostBuckets: false });
  const s3Address = await s3rver.run();
  const dynamoServer = dynalite({ path: dynamoDir, createTableMs: 0 });
  try {
    await new Promise<void>((resolve, reject) => {
      dynamoServer.once('error', reject);
      dynamoServer.listen(0, host, () => {
        dynamoServer.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await s3rver.close();
    throw error;
  }
  const dynamoAddress = dynamoServer.address() as AddressInfo;

  const urlHost = host.includes(':') ? `[${host}]` : host;
  const s3Endpoint = `http://${urlHost}:${s3Address.port}`;
  const dynamoEndpoint = `http://${urlHost}:${dynamoAddress.port}`;
  const s3Client = createS3Client({ endpoint: s3Endpoint });
  const dynamoClient = createDynamoClient({ endpoint: dynamoEndpoint });

  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    s3Client.destroy();
    dynamoClient.destroy();
    await Promise.all([
      s3rver.close(),
      // dynalite's close waits for the HTTP server, then closes LevelDB (releasing its lock).
      new Promise<void>((resolve, reject) =>
        dynamoServer.close((error) => (error ? reject(error) : resolve())),
      ),
    ]);
  };

  try {
    await Promise.all([ensureBucket(s3Client, bucket), ensureTable(dynamoClient, table)]);
  } catch (error) {
    await close();
    throw error;
  }

  return {
    s3: { endpoint: s3Endpoint, bucket, client: s3Client },
    dynamodb: { endpoint: dynamoEndpoint, table, client: dynamoClient },
    blobStore: new S3BlobStore(s3Client, bucket),
    index: createDynamoIndex(dynamoClient, table),
    close,
  };
}
