import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AWS_CLIENTS, awsClientOptions } from '../aws/client-policy.js';
import { type DynamoDbSdk, loadDynamoDbSdk } from '../dynamodb/load-sdk.js';

/** Each DynamoDB call gives up after this long: no request waits on a hanging store (docs/wire-facts.md §10). */
export const DYNAMODB_TIMEOUT_MS = AWS_CLIENTS.usage.requestTimeoutMs;

export type { DynamoDbSdk };

/**
 * The DynamoDB SDK, loaded on first use (a process without a usage table never loads it), and one
 * client per process for the usage counters.
 *
 * The SDK's own retries are off (`maxAttempts: 1`): an ADD that timed out may have been applied, and a
 * blind retry would count it twice. Callers retry only what certainly did not apply (dynamodb-store.ts).
 */
let loaded: Promise<{ sdk: DynamoDbSdk; client: DynamoDBClient }> | undefined;

export function dynamoDb(): Promise<{ sdk: DynamoDbSdk; client: DynamoDBClient }> {
  loaded ??= loadDynamoDbSdk().then((sdk) => ({
    sdk,
    // Each call also has its own deadline (dynamodb-store.ts).
    client: new sdk.DynamoDBClient(awsClientOptions(AWS_CLIENTS.usage)),
  }));
  loaded.catch(() => {
    loaded = undefined;
  });
  return loaded;
}

/** Errors after which DynamoDB certainly applied nothing: throttling, and connections never made. */
const NOT_APPLIED = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'ResourceNotFoundException',
  'ValidationException',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'ConditionalCheckFailedException',
]);
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Whether a failed write certainly changed nothing (so trying again cannot count twice). */
export function certainlyNotApplied(error: unknown): boolean {
  const e = error as { name?: string; code?: string; cause?: { code?: string } };
  return NOT_APPLIED.has(e.name ?? '') || NOT_SENT.has(e.code ?? '') || NOT_SENT.has(e.cause?.code ?? '');
}

/** Whether a failure is worth trying again soon (throttling, a refused connection), not a mistake. */
export function retryable(error: unknown): boolean {
  const e = error as { name?: string };
  return (
    certainlyNotApplied(error) &&
    !['ResourceNotFoundException', 'ValidationException', 'AccessDeniedException', 'UnrecognizedClientException'].includes(e.name ?? '') &&
    e.name !== 'ConditionalCheckFailedException'
  );
}
