import type { Authenticator } from '../auth/authenticator.js';
import type { ModelCatalog } from '../models/model-catalog.js';
import type { Usage } from '../usage/usage.js';

/** What the HTTP surface needs: the models, who may call, and its own limits. */
export interface AppDependencies {
  models: ModelCatalog;
  auth: Authenticator;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** Usage metering, budgets and limits shared across containers. */
  usage: Usage;
}
