/**
 * `sdk.ts` for the bundle. esbuild keeps every export of a package reached only through a dynamic
 * import (its `export *` become run-time re-exports), which would add the whole DynamoDB client
 * (about 95 KB) to the handler; importing the client and the commands from their own modules adds
 * about 45 KB. Only esbuild reads this file (the handler picks it when bundled, see `load-sdk.ts`);
 * those modules have no declarations of their own (`dist-es.d.ts`), so the types are the package's.
 */
import { BatchGetItemCommand as BatchGet } from '@aws-sdk/client-dynamodb/dist-es/commands/BatchGetItemCommand.js';
import { BatchWriteItemCommand as BatchWrite } from '@aws-sdk/client-dynamodb/dist-es/commands/BatchWriteItemCommand.js';
import { DeleteItemCommand as Delete } from '@aws-sdk/client-dynamodb/dist-es/commands/DeleteItemCommand.js';
import { GetItemCommand as Get } from '@aws-sdk/client-dynamodb/dist-es/commands/GetItemCommand.js';
import { PutItemCommand as Put } from '@aws-sdk/client-dynamodb/dist-es/commands/PutItemCommand.js';
import { QueryCommand as Query } from '@aws-sdk/client-dynamodb/dist-es/commands/QueryCommand.js';
import { UpdateItemCommand as Update } from '@aws-sdk/client-dynamodb/dist-es/commands/UpdateItemCommand.js';
import { DynamoDBClient as Client } from '@aws-sdk/client-dynamodb/dist-es/DynamoDBClient.js';

type Sdk = typeof import('./sdk.js');
export const DynamoDBClient: Sdk['DynamoDBClient'] = Client;
export const BatchGetItemCommand: Sdk['BatchGetItemCommand'] = BatchGet;
export const BatchWriteItemCommand: Sdk['BatchWriteItemCommand'] = BatchWrite;
export const DeleteItemCommand: Sdk['DeleteItemCommand'] = Delete;
export const GetItemCommand: Sdk['GetItemCommand'] = Get;
export const PutItemCommand: Sdk['PutItemCommand'] = Put;
export const QueryCommand: Sdk['QueryCommand'] = Query;
export const UpdateItemCommand: Sdk['UpdateItemCommand'] = Update;
