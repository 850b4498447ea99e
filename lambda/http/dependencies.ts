import type { Authenticator } from '../auth/authenticator.js';
import type { ModelCatalog } from '../models/model-catalog.js';

/** What the HTTP surface needs: the models, who may call, and its own limits. */
export interface AppDependencies {
  models: ModelCatalog;
  auth: Authenticator;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
}
