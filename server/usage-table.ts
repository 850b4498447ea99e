import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { AWS_CLIENTS, awsClientOptions } from '../lambda/aws/client-policy.js';
import { TABLE_KEY } from '../lambda/dynamodb/table-layout.js';

/**
 * The usage table for a Node server (`npm start` or the container, with `usage.table`): used as it is when it exists
 * (the stack's table, say), created on demand with the stack's key schema when it does not, so that two
 * local processes pointed at one DynamoDB (or a local DynamoDB-protocol server) share one table.
 * Returns whether it was created.
 */
export async function ensureUsageTable(table: string, client = new DynamoDBClient(awsClientOptions(AWS_CLIENTS.tools))): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: table }));
    await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: table });
    return false;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  let created = true;
  try {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: TABLE_KEY.partition, KeyType: 'HASH' },
          { AttributeName: TABLE_KEY.sort, KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: TABLE_KEY.partition, AttributeType: 'S' },
          { AttributeName: TABLE_KEY.sort, AttributeType: 'S' },
        ],
      }),
    );
  } catch (error) {
    // Another process created it at the same moment.
    if (!(error instanceof ResourceInUseException)) throw error;
    created = false;
  }
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1 }, { TableName: table });
  try {
    await client.send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { AttributeName: TABLE_KEY.ttl, Enabled: true } }));
  } catch {
    // Local DynamoDB-protocol servers (dynalite) have no TTL; old rows then stay, which is harmless locally.
  }
  return created;
}
