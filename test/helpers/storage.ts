/** Shared by the storage*.test.ts files: recording the commands a client sends. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { TABLE_ACTIONS } from '../../infra/lib/permissions.ts';

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

/**
 * The only DynamoDB commands the index may send (plus table setup): exactly what the deployed
 * function's role allows (infra/lib/permissions.ts), so a new call without its grant fails here.
 */
export const ITEM_COMMANDS: ReadonlySet<string> = new Set(
  TABLE_ACTIONS.map((a) => `${a.slice('dynamodb:'.length)}Command`),
);
