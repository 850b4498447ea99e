/**
 * The parts of the DynamoDB SDK the gateway uses, loaded with `await import()` on first use so that
 * a process without a usage table never loads them. Bundled, the handler imports the same names
 * from `dynamodb-sdk-slim.ts` instead (see there).
 */
export { DynamoDBClient, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
