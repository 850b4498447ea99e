/**
 * `dynamodb-sdk.ts` for the bundle. esbuild keeps every export of a package reached only through a
 * dynamic import (its `export *` become run-time re-exports), which would add the whole DynamoDB
 * client (about 95 KB) to the handler; importing the client and the two commands from their own
 * modules adds about 43 KB. Only esbuild reads this file (the handler picks it when bundled, see
 * `dynamodb-client.ts`); those modules have no declarations of their own (`dist-es.d.ts`), so the
 * types are the package's.
 */
import { QueryCommand as Query } from '@aws-sdk/client-dynamodb/dist-es/commands/QueryCommand.js';
import { UpdateItemCommand as Update } from '@aws-sdk/client-dynamodb/dist-es/commands/UpdateItemCommand.js';
import { DynamoDBClient as Client } from '@aws-sdk/client-dynamodb/dist-es/DynamoDBClient.js';

type Sdk = typeof import('./dynamodb-sdk.js');
export const DynamoDBClient: Sdk['DynamoDBClient'] = Client;
export const QueryCommand: Sdk['QueryCommand'] = Query;
export const UpdateItemCommand: Sdk['UpdateItemCommand'] = Update;
