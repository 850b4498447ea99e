import type { Hono } from 'hono';
import type { Authenticator } from '../auth/authenticator.js';
import type { ModelCatalog } from '../models/model-catalog.js';
import type { InFlight } from '../pipeline/in-flight.js';
import type { ResponseStore } from '../stores/response-store.js';
import type { Usage } from '../usage/usage.js';

/** What the HTTP surface needs: the models, who may call, and its own limits. */
export interface AppDependencies {
  models: ModelCatalog;
  auth: Authenticator;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** A `: ping` comment after this long without an event in a started stream (0: none). */
  keepaliveMs?: number;
  /** The requests in flight, for a server that shuts down gracefully. */
  inFlight?: InFlight;
  /** Usage metering, budgets and limits shared across containers. */
  usage: Usage;
  /** Stored Responses API answers; none without a DynamoDB table (stateless). */
  responses?: ResponseStore;
  /** The admin console's routes under /ui (`ui.enabled`); none: /ui is an unknown URL like any other. */
  console?: Hono;
}
