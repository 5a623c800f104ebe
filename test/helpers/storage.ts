/** Shared by the storage*.test.ts files: recording the commands a client sends. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';

let recorders = 0;

/** Calls `into` with every command (name and input) the client sends from now on. */
export function record(
  client: S3Client | DynamoDBClient,
  into: (command: string, input: unknown) => void,
): void {
  // biome-ignore lint/suspicious/noExplicitAny: the middleware stack's generics differ per client.
  (client.middlewareStack as any).add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName: string }) =>
      async (args: { input: unknown }) => {
        into(context.commandName, args.input);
        return next(args);
      },
    { step: 'initialize', name: `recordCommands${++recorders}` },
  );
}

/** The only DynamoDB commands the index may send (plus table setup): no Scan, no transactions. */
export const ITEM_COMMANDS: ReadonlySet<string> = new Set([
  'GetItemCommand',
  'BatchGetItemCommand',
  'QueryCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
]);
