import { type Authenticator, createAuthenticator } from './auth/authenticator.js';
import type { GatewayConfig } from './config/config.js';
import { consoleMount } from './console/mount.js';
import { createApp } from './http/app.js';
import { ImageFetcher, type Resolve } from './images/image-fetcher.js';
import { buildCatalog, type ModelCatalog } from './models/model-catalog.js';
import { InFlight } from './pipeline/in-flight.js';
import { DynamoDBResponseStore } from './stores/dynamodb-response-store.js';
import type { ResponseStore } from './stores/response-store.js';
import { configureTransports, pricesOf } from './upstreams/index.js';
import { dynamoDb } from './usage/dynamodb-client.js';
import { createUsage, type Usage } from './usage/usage.js';

/** The gateway of one config, assembled once per container: on Lambda (`index.ts`) and locally alike. */
export interface Gateway {
  /** The Hono app: `app.fetch` answers web Requests. */
  app: ReturnType<typeof createApp>;
  auth: Authenticator;
  models: ModelCatalog;
  /** The chat requests in flight (a server shutting down cuts them at its deadline). */
  inFlight: InFlight;
  /** Metering, budgets and limits shared across containers (`usage.limits` takes per-deployment limits too). */
  usage: Usage;
}

/** SSE pings every this many seconds when the config says nothing (docs/wire-facts.md §9). */
const DEFAULT_KEEPALIVE_SECONDS = 15;

export interface GatewayOverrides {
  auth?: Authenticator;
  /** DNS for image URLs (tests point names at chosen addresses). */
  resolveImageHost?: Resolve;
  usage?: Usage;
  /** Where Responses API answers are kept (default: the DynamoDB table, when one is configured). */
  responses?: ResponseStore;
}

export function createGateway(config: GatewayConfig, overrides: GatewayOverrides = {}): Gateway {
  configureTransports({ maxConnections: config.maxConnections });
  const auth = overrides.auth ?? createAuthenticator(config.auth);
  const usage = overrides.usage ?? createUsage(config, undefined, pricesOf);
  // Deployments with rpm/tpm are held to them across containers by the usage store's counters.
  const models = buildCatalog(config, new ImageFetcher(config.imageFetch, overrides.resolveImageHost), usage.limits);
  const inFlight = new InFlight();
  const keepaliveMs = (config.keepaliveSeconds ?? DEFAULT_KEEPALIVE_SECONDS) * 1000;
  const responses = overrides.responses ?? (config.usage.table ? new DynamoDBResponseStore(config.usage.table) : undefined);
  const ui =
    config.ui &&
    consoleMount({ config: { ...config, ui: config.ui }, usage, models, dynamoDb, consoleSecretId: process.env.SAGEGATE_CONSOLE_SECRET });
  const app = createApp({ models, auth, maxBodyBytes: config.maxBodyBytes, keepaliveMs, inFlight, usage, responses, console: ui });
  return { app, auth, models, inFlight, usage };
}
