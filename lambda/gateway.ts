import { type Authenticator, createAuthenticator } from './auth/authenticator.js';
import type { GatewayConfig } from './core/config.js';
import { createApp } from './http/app.js';
import { ImageFetcher, type Resolve } from './images/image-fetcher.js';
import { buildCatalog, type ModelCatalog } from './models/model-catalog.js';
import { DynamoDBResponseStore } from './stores/dynamodb-response-store.js';
import type { ResponseStore } from './stores/response-store.js';
import { configureTransports } from './transports/index.js';

/** The gateway of one config, assembled once per container: on Lambda (`index.ts`) and locally alike. */
export interface Gateway {
  /** The Hono app: `app.fetch` answers web Requests. */
  app: ReturnType<typeof createApp>;
  auth: Authenticator;
  models: ModelCatalog;
}

export interface GatewayOverrides {
  auth?: Authenticator;
  /** DNS for image URLs (tests point names at chosen addresses). */
  resolveImageHost?: Resolve;
  /** Where Responses API answers are kept (default: the DynamoDB table, when one is configured). */
  responses?: ResponseStore;
}

export function createGateway(config: GatewayConfig, overrides: GatewayOverrides = {}): Gateway {
  configureTransports({ maxConnections: config.maxConnections });
  const auth = overrides.auth ?? createAuthenticator(config.auth);
  const models = buildCatalog(config, new ImageFetcher(config.imageFetch, overrides.resolveImageHost));
  const responses = overrides.responses ?? (config.usage.table ? new DynamoDBResponseStore(config.usage.table) : undefined);
  return { app: createApp({ models, auth, maxBodyBytes: config.maxBodyBytes, responses }), auth, models };
}
