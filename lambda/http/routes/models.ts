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
  return (c: Context<AppEnv>) => c.json(modelObject(models.check(decodedId(c.req.param('id') ?? ''), c.get('principal').models)));
}

/** The path's model id; a malformed percent-escape is the client's mistake, not a crash. */
function decodedId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw invalidRequest('The model id in the URL has a malformed percent-escape.', 'model', 'invalid_model_id');
  }
}
