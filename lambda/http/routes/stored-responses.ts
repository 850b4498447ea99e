import type { Context } from 'hono';
import { describeCause, GatewayError, invalidRequest, toGatewayError } from '../../core/gateway-error.js';
import { log } from '../../core/log.js';
import type { InputItem } from '../../openai/responses-request.js';
import type { ResponseObject } from '../../openai/responses-response.js';
import type { ResponseStore } from '../../stores/response-store.js';
import type { AppDependencies } from '../dependencies.js';
import type { AppEnv } from '../env.js';

/** Stores an answered response (when there is a store), or marks it not kept: the client has its answer either way. */
export function saver(store: ResponseStore | undefined, { keyId, input, requestId }: { keyId: string; input: InputItem[]; requestId: string }) {
  return async (response: ResponseObject): Promise<ResponseObject> => {
    if (!store) return response;
    try {
      await store.put({ id: response.id, keyId, input, response });
    } catch (error) {
      response.store = false;
      log.error('could not store a response', { requestId, cause: describeCause(toGatewayError(error)) ?? String(error) });
    }
    return response;
  };
}

/** The conversation before `previous_response_id`: its input, then its output. */
export async function history(previousId: string | null | undefined, store: ResponseStore | undefined, keyId: string): Promise<InputItem[]> {
  if (!previousId) return [];
  if (!store) {
    throw invalidRequest(
      "previous_response_id needs stored responses, and this gateway keeps none (it has no DynamoDB table: set usage.table). Send the whole conversation in 'input' instead.",
      'previous_response_id',
      'previous_response_not_supported',
    );
  }
  const previous = await stored(store, previousId, keyId);
  if (!previous) {
    throw new GatewayError(404, `Previous response with id '${previousId}' not found.`, {
      param: 'previous_response_id',
      code: 'previous_response_not_found',
    });
  }
  return [...(previous.input as InputItem[]), ...((previous.response.output as InputItem[] | undefined) ?? [])];
}

async function stored(store: ResponseStore, id: string, keyId: string) {
  try {
    return await store.get(id, keyId);
  } catch (error) {
    throw new GatewayError(503, 'Stored responses cannot be read right now; retry shortly.', {
      code: 'response_store_unavailable',
      retryAfter: 1,
      cause: error,
    });
  }
}

const notFound = (id: string) => new GatewayError(404, `Response with id '${id}' not found.`, { param: 'response_id', code: 'response_not_found' });

/** GET /v1/responses/{id}: a stored response, for the key that made it. */
export function retrieveResponse({ responses }: AppDependencies) {
  return async (c: Context<AppEnv>) => {
    const id = c.req.param('id') ?? '';
    const record = responses && (await stored(responses, id, c.get('principal').keyId));
    if (!record) throw notFound(id);
    return c.json(record.response);
  };
}

/** GET /v1/responses/{id}/input_items: the input items a stored response answered. */
export function listInputItems({ responses }: AppDependencies) {
  return async (c: Context<AppEnv>) => {
    const id = c.req.param('id') ?? '';
    const record = responses && (await stored(responses, id, c.get('principal').keyId));
    if (!record) throw notFound(id);
    const data = (record.input as Record<string, unknown>[]).map((item) => ({ id: item.id ?? `item_${id.slice(5)}`, ...item }));
    const order = c.req.query('order') === 'asc' ? data : [...data].reverse();
    return c.json({ object: 'list', data: order, first_id: order[0]?.id ?? null, last_id: order.at(-1)?.id ?? null, has_more: false });
  };
}

/** DELETE /v1/responses/{id} */
export function deleteResponse({ responses }: AppDependencies) {
  return async (c: Context<AppEnv>) => {
    const id = c.req.param('id') ?? '';
    let deleted = false;
    try {
      deleted = Boolean(responses && (await responses.delete(id, c.get('principal').keyId)));
    } catch (error) {
      throw new GatewayError(503, 'Stored responses cannot be deleted right now; retry shortly.', {
        code: 'response_store_unavailable',
        retryAfter: 1,
        cause: error,
      });
    }
    if (!deleted) throw notFound(id);
    return c.json({ id, object: 'response', deleted: true });
  };
}
