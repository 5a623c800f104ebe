import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoGcIndex } from '../adapters/dynamo-gc-index.ts';
import type { S3BlobStore } from '../adapters/s3-blob-store.ts';
import type { TokenSigner } from '../auth/tokens.ts';
import { DEFAULT_CONFIG } from '../config.ts';
import { deleteManifest } from '../handlers/manifests.ts';
import type { RegistryIndex } from '../ports.ts';
import type { GcDeps } from './run.ts';

/** GC's ports over the same bucket and table the registry uses. */
export function gcDeps(
  blobs: S3BlobStore,
  index: RegistryIndex,
  dynamo: DynamoDBClient,
  table: string,
  log?: (line: string) => void,
): GcDeps {
  const now = () => new Date();
  // Retention retires a version exactly as DELETE /v2/<repo>/manifests/<version> does; that path
  // never signs tokens.
  const ctx = { blobs, index, config: DEFAULT_CONFIG, tokens: undefined as unknown as TokenSigner, now };
  return {
    index,
    gc: new DynamoGcIndex(dynamo, table),
    blobs,
    now,
    retireVersion: async (repository, version) => {
      await deleteManifest(ctx, repository, version);
    },
    log,
  };
}
