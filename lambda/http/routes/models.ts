import type { Context } from 'hono';
import { invalidRequest } from '../../core/gateway-error.js';
import type { AppDependencies } from '../dependencies.js';
import type { AppEnv } from '../env.js';

/** Model objects carry the container's start time: stable across calls, as clients cache them. */
const created = Math.floor(Date.now() / 1000);
const modelObject = (id: string) => ({ id, object: 'model', created, owned_by: 'sagegate' });

/** GET /v1/models: only the models the caller's key may use. */
export function listModels({ models }: AppDependencies) {
  return (c: Context<AppEnv>) => c.json({ object: 'list', data: models.visible(c.get('principal').models).map(modelObject) });
}

/** GET /v1/models/{id} */
export function retrieveModel({ models }: AppDependencies) {
  return (c: Context<AppEnv>) => c.json(modelObject(models.check(modelId(c.req.url), c.get('principal').models)));
}

/**
 * The model id as the client wrote it, decoded once from the raw URL: `c.req.param()` has already
 * decoded it, leaving malformed escapes as they were (docs/wire-facts.md §12), so decoding that again
 * would turn `%2525` into `%` and could not tell a malformed escape from a literal one. Ids may hold
 * slashes (`org/model`).
 * A malformed percent-escape is the client's mistake, answered as such.
 */
function modelId(url: string): string {
  const path = new URL(url).pathname;
  const raw = path.slice(path.indexOf('/models/') + '/models/'.length);
  try {
    return decodeURIComponent(raw);
  } catch {
    throw invalidRequest('The model id in the URL has a malformed percent-escape.', 'model', 'invalid_model_id');
  }
}
