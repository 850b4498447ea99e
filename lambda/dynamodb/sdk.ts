/**
 * The parts of the DynamoDB SDK the gateway uses (usage counters, spend, stored responses), loaded with
 * `await import()` on first use so that a process without a table never loads them. Bundled, the
 * handler imports the same names from `sdk-slim.ts` instead (see there).
 */
export {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
