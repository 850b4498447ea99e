import type { Authenticator } from '../auth/authenticator.js';
import type { ModelCatalog } from '../models/model-catalog.js';
import type { ResponseStore } from '../stores/response-store.js';

/** What the HTTP surface needs: the models, who may call, and its own limits. */
export interface AppDependencies {
  models: ModelCatalog;
  auth: Authenticator;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** Stored Responses API answers; none without a DynamoDB table (stateless). */
  responses?: ResponseStore;
}
