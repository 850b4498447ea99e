import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { dynamoDb } from '../usage/dynamodb-client.js';

/** As the usage store's own calls: a hanging table never holds a sign-in. */
const TIMEOUT_MS = 1000;

export type DynamoDb = typeof dynamoDb;

/**
 * One call to the usage table with its own deadline. The client is the gateway's own (handed over by
 * the mount), so the console's chunk carries no second copy of the SDK.
 */
export async function tableCall(db: DynamoDb, command: 'UpdateItemCommand' | 'GetItemCommand', input: object): Promise<unknown> {
  const { sdk, client } = await db();
  const Command = sdk[command] as unknown as new (input: object) => Parameters<DynamoDBClient['send']>[0];
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error(`DynamoDB did not answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  try {
    return await client.send(new Command(input), { abortSignal: abort.signal });
  } finally {
    clearTimeout(timer);
  }
}
