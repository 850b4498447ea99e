import type { Context } from 'hono';
import type { Gateway } from '../../gateway.js';
import type { ModelConfig } from '../../config/types.js';
import type { AppEnv } from '../env.js';

/** Model objects carry the container's start time: stable across calls, as clients cache them. */
const created = Math.floor(Date.now() / 1000);
const modelObject = (m: ModelConfig) => ({ id: m.name, object: 'model', created, owned_by: 'sagegate' });

/** GET /v1/models: only the models the caller's key may use. */
export function listModels(gateway: Gateway) {
  return (c: Context<AppEnv>) => c.json({ object: 'list', data: gateway.visibleModels(c.get('principal')).map(modelObject) });
}

/** GET /v1/models/{id} */
export function retrieveModel(gateway: Gateway) {
  return (c: Context<AppEnv>) => {
    return c.json(modelObject(gateway.model(decodeURIComponent(c.req.param('id') ?? ''), c.get('principal'))));
  };
}
