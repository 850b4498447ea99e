import type { Context } from 'hono';
import { describeCause, GatewayError, invalidRequest, toGatewayError } from '../../core/gateway-error.js';
import { log } from '../../core/log.js';
import { type InputItem, inputItems, parseResponsesRequest, toChatRequest } from '../../openai/responses-request.js';
import { newResponseMeta, outputItems, ResponseEventWriter, type ResponseObject, responseObject, statusOf } from '../../openai/responses-response.js';
import { completeUsage } from '../../openai/usage-estimate.js';
import type { ResponseStore } from '../../stores/response-store.js';
import { clientSignal } from '../client-signal.js';
import type { AppDependencies } from '../dependencies.js';
import type { AppEnv } from '../env.js';
import { meterAnswer, meterStream } from '../metering.js';
import { readJson } from '../read-json.js';
import { jsonResponse, streamedAnswer } from '../respond.js';
import { servedHeaders } from '../served-headers.js';
import type { SseEncoder } from '../sse-body.js';

/**
 * POST /v1/responses: OpenAI's Responses API on the same chat models as chat completions (every
 * dialect, transport and router), for Codex, the Agents SDK and other agents (docs/wire-facts.md §8).
 * Stateless unless the gateway has a DynamoDB table: then `store` keeps responses (written before the
 * answer completes) and `previous_response_id` continues from one, for the key that made it.
 * Metered, pinged, tracked for a graceful shutdown and cut by the Lambda deadline as chat completions are.
 */
export function createResponse({ models, maxBodyBytes, responses, keepaliveMs, inFlight }: AppDependencies) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const request = parseResponsesRequest(await readJson(c.req.raw, maxBodyBytes));
    const keyId = c.get('principal').keyId;
    const model = models.chat(request.model, c.get('principal').models);
    c.set('model', model.name);
    const input = [...(await history(request.previous_response_id, responses, keyId)), ...inputItems(request)];
    const { chat, names } = toChatRequest(request, input);
    const store = responses && request.store !== false ? responses : undefined;
    const meta = newResponseMeta(request, Boolean(store));
    const save = async (response: ResponseObject) => {
      if (!store) return;
      try {
        await store.put({ id: response.id, keyId, input, response });
      } catch (error) {
        // The client has its answer; it is told it was not kept.
        response.store = false;
        log.error('could not store a response', { requestId: c.get('requestId'), cause: describeCause(toGatewayError(error)) ?? String(error) });
      }
    };
    const cancel = clientSignal(c.req.raw);
    const done = inFlight?.track(cancel);
    let streaming = false;
    try {
      if (!request.stream) {
        const answer = await model.complete(chat, cancel.signal);
        const choice = answer.choices[0]!;
        const response = responseObject(meta, statusOf(choice.finish_reason), outputItems(choice, names), {
          usage: answer.usage,
          finish: choice.finish_reason,
        });
        await save(response);
        const headers = servedHeaders(answer, answer.estimated);
        await meterAnswer(c, { model: model.name, servedBy: answer.servedBy, usage: answer.usage, estimated: answer.estimated });
        return jsonResponse(c, response, headers);
      }

      const stream = await model.stream(chat, cancel.signal);
      // Metered like a chat stream: at its final usage event, or with an estimate when it ends early.
      const events = meterStream(c, stream.events, {
        model: model.name,
        servedBy: stream.servedBy,
        estimate: (chars) => completeUsage(chat, undefined, chars),
      });
      const writer = new ResponseEventWriter(meta, names);
      async function* sse(): AsyncGenerator<string> {
        yield writer.start();
        for await (const event of events) {
          const text = writer.take(event);
          if (text) yield text;
        }
        const { events: closing, response } = writer.finalResponse();
        yield closing;
        await save(response);
        yield writer.terminal(response);
      }
      // The writer's events are SSE text already.
      const encoder: SseEncoder<string> = { encode: (text) => text, end: () => '', fail: (error) => writer.fail(error) };
      const answer = streamedAnswer(c, sse(), encoder, stream, !model.reportsUsage, { cancel, keepaliveMs, done });
      streaming = true;
      return answer;
    } finally {
      if (!streaming) done?.();
    }
  };
}

/** The conversation before `previous_response_id`: its input, then its output. */
async function history(previousId: string | null | undefined, store: ResponseStore | undefined, keyId: string): Promise<InputItem[]> {
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
