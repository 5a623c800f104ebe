import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RegistryIndex } from '../ports.ts';
import { accessRecords } from './dynamo/access-records.ts';
import { blobRecords } from './dynamo/blob-records.ts';
import { DynamoTable } from './dynamo/items.ts';
import { manifestRecords } from './dynamo/manifest-records.ts';
import { packRecords } from './dynamo/pack-records.ts';

/**
 * RegistryIndex over one DynamoDB table (dynamo/table.ts), composed of one module per record
 * family. Only GetItem, Query, PutItem, UpdateItem and DeleteItem; reads of the base table are
 * strongly consistent (a pushed manifest is pullable at once), the pack search GSI is eventually
 * consistent.
 */
export function createDynamoIndex(
  client: DynamoDBClient,
  tableName: string,
  /** Clock for upload and token-id expiry (epoch seconds); injectable for tests. */
  now?: () => number,
): RegistryIndex {
  const table = new DynamoTable(client, tableName, now);
  return {
    ...blobRecords(table),
    ...manifestRecords(table),
    ...packRecords(table),
    ...accessRecords(table),
  };
}
