/**
 * The DynamoDB SDK, as much of it as stored responses use. Named imports let the bundler leave the
 * rest of the client out (measured: 45 KB where the whole package is 115 KB); the stores import this
 * module on first use, so gateways without a table never load it.
 */
export {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
