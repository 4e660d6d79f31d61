import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { stateTableInput } from '../../local/resources';

/**
 * Create the state table with the contract's schema (pk/sk, sparse `due-index` on dueShard/nextDueAt)
 * in the emulator named by AWS_ENDPOINT_URL_DYNAMODB. Each call makes a fresh, uniquely named table so
 * tests never see each other's items. Returns the table name and a function that deletes it.
 */
export async function createStateTable(
  options: { readonly client?: DynamoDBClient; readonly prefix?: string } = {},
): Promise<{
  readonly tableName: string;
  readonly client: DynamoDBClient;
  readonly drop: () => Promise<void>;
}> {
  const client = options.client ?? new DynamoDBClient({});
  const tableName = `${options.prefix ?? 'state'}-${randomUUID()}`;
  await client.send(new CreateTableCommand(stateTableInput(tableName)));
  // dynalite turns a table ACTIVE on a timer: under load a first write could otherwise beat it.
  await waitUntilTableExists(
    { client, maxWaitTime: 30, minDelay: 0.05, maxDelay: 0.2 },
    { TableName: tableName },
  );
  return {
    tableName,
    client,
    drop: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
    },
  };
}
