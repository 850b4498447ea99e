export type DynamoDbSdk = typeof import('./sdk.js');

let sdk: Promise<DynamoDbSdk> | undefined;

/**
 * The DynamoDB SDK, loaded on first use and shared by what uses the table (usage, stored responses).
 * The bundle defines SAGEGATE_BUNDLE, which picks the slim import (see sdk-slim.ts); esbuild drops the
 * other branch.
 */
export function loadDynamoDbSdk(): Promise<DynamoDbSdk> {
  sdk ??= process.env.SAGEGATE_BUNDLE ? import('./sdk-slim.js') : import('./sdk.js');
  sdk.catch(() => {
    sdk = undefined;
  });
  return sdk;
}
