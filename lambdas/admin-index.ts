import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startEmbeddedStorage } from './local/embedded-storage.ts';
import { createDynamoIndex } from './registry/adapters/dynamo-index.ts';
import { hashPassword } from './registry/auth/passwords.ts';
import type { CredentialIndex, PublisherIndex, Scope } from './registry/ports.ts';

/** What the admin commands (`packyard user`, `packyard publisher`) manage in a registry's index. */
export type AdminIndex = CredentialIndex & PublisherIndex;

/** Where the index is: a deployed DynamoDB table, or a local data folder (`packyard serve`'s). */
export interface AdminIndexLocation {
  /** A deployed registry's table; the AWS SDK's default credentials and region apply. */
  table?: string;
  region?: string;
  /** Used when no table is given. */
  dataDir: string;
}

/** The folder is open in another process (a running `packyard serve` holds its lock). */
export class IndexInUseError extends Error {}

/** Opens the index, runs `fn` on it, and closes it again. */
export async function withAdminIndex<T>(
  where: AdminIndexLocation,
  fn: (index: AdminIndex) => Promise<T>,
): Promise<T> {
  if (where.table) {
    const client = new DynamoDBClient(where.region ? { region: where.region } : {});
    try {
      return await fn(createDynamoIndex(client, where.table));
    } finally {
      client.destroy();
    }
  }
  let storage: Awaited<ReturnType<typeof startEmbeddedStorage>>;
  try {
    storage = await startEmbeddedStorage({ dataDir: where.dataDir });
  } catch (err) {
    if (/lock/i.test((err as Error).message)) throw new IndexInUseError((err as Error).message);
    throw err;
  }
  try {
    return await fn(storage.index);
  } finally {
    await storage.close();
  }
}

/** Creates or replaces a credential (the password is stored hashed). */
export async function ensureUser(
  index: CredentialIndex,
  user: { username: string; password: string; scope: Scope; prefix?: string },
): Promise<void> {
  await index.putCredential({
    username: user.username,
    passwordHash: await hashPassword(user.password),
    scope: user.scope,
    prefix: user.prefix ?? '',
    createdAt: new Date().toISOString(),
  });
}
