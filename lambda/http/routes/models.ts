import type { Context } from 'hono';
import { invalidRequest } from '../../core/gateway-error.js';
import type { ListedModel } from '../../models/model-catalog.js';
import type { AppDependencies } from '../dependencies.js';
import type { AppEnv } from '../env.js';

/** Model objects carry the container's start time: stable across calls, as clients cache them. */
const created = Math.floor(Date.now() / 1000);
/** OpenAI's model object, with the deployments behind the name (extra fields are ignored by clients). */
const modelObject = ({ id, deployments }: ListedModel) => ({ id, object: 'model', created, owned_by: 'sagegate', deployments });

/** GET /v1/models: each model the caller's key may use, once (a group of deployments is one model). */
export function listModels({ models }: AppDependencies) {
  return (c: Context<AppEnv>) => c.json({ object: 'list', data: models.visible(c.get('principal').models).map(modelObject) });
}

/** GET /v1/models/{id} */
export function retrieveModel({ models }: AppDependencies) {
  return (c: Context<AppEnv>) => {
    const allowed = c.get('principal').models;
    const id = modelId(c.req.url);
    models.check(id, allowed);
    return c.json(modelObject(models.visible(allowed).find((m) => m.id === id) ?? { id, deployments: [] }));
  };
}

/** GET /health/models: each deployment's state in this container (cooling down or not), without calling any model. */
export function modelHealth({ models }: AppDependencies) {
  return (c: Context<AppEnv>) => c.json({ object: 'list', data: models.health(c.get('principal').models) });
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
