import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { estimateInputTokens } from '../../anthropic/count-tokens.js';
import { anthropicErrorResponse } from '../../anthropic/errors.js';
import { MessageEventWriter, newMessageId } from '../../anthropic/message-events.js';
import { MessageAccumulator } from '../../anthropic/message-object.js';
import { messageStreamEncoder } from '../../anthropic/message-sse.js';
import { parseCountTokensRequest, parseMessagesRequest } from '../../anthropic/messages-request.js';
import { anthropicModel, anthropicModelList } from '../../anthropic/models-list.js';
import { cutAtStopSequences } from '../../anthropic/stop-sequences.js';
import { chatPrompt, toChatRequest } from '../../anthropic/to-chat-request.js';
import { GatewayError, quoted, toGatewayError } from '../../core/gateway-error.js';
import { log } from '../../core/log.js';
import { completeUsage } from '../../openai/usage-estimate.js';
import { clientSignal } from '../client-signal.js';
import type { AppDependencies } from '../dependencies.js';
import type { AppEnv } from '../env.js';
import { meterStream, usageGate } from '../metering.js';
import { readJson } from '../read-json.js';
import { eventStreamResponse, jsonResponse } from '../respond.js';
import { servedHeaders } from '../served-headers.js';
import { sseBody } from '../sse-body.js';

/**
 * Anthropic's Messages API (`/v1/messages`, `/v1/messages/count_tokens`, and `/v1/models` for
 * callers that send `anthropic-version`) on every chat model, for Claude Code and the Anthropic SDKs
 * (docs/messages-api.md). Same keys (`x-api-key` or `Authorization: Bearer`), scopes, budgets,
 * limits, metering, pings and shutdown as chat completions; every error in Anthropic's shape, its
 * authentication errors included, hence a sub-app with its own error handler. Mounted before the
 * OpenAI routes so that their middleware never answers these paths.
 */
export function messagesApi(deps: AppDependencies, authenticate: MiddlewareHandler<AppEnv>): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  api.post('/messages', authenticate, usageGate(deps), createMessage(deps));
  api.post('/messages/count_tokens', authenticate, countTokens(deps));
  api.all('/messages/*', (c) => {
    throw new GatewayError(
      404,
      `${quoted(c.req.method, 16)} ${quoted(c.req.path, 128)} is not served by this gateway (Message Batches are not supported).`,
    );
  });
  api.get(
    '/models',
    anthropicOnly(authenticate, (c) => c.json(anthropicModelList(deps.models.visible(c.get('principal').models)))),
  );
  api.get(
    '/models/:id{.+}',
    anthropicOnly(authenticate, (c) => {
      const allowed = c.get('principal').models;
      const id = c.req.param('id') ?? '';
      deps.models.check(id, allowed);
      return c.json(anthropicModel(deps.models.visible(allowed).find((m) => m.id === id) ?? { id, deployments: [] }));
    }),
  );
  api.onError((error, c) => {
    const gatewayError = toGatewayError(error);
    c.set('error', gatewayError);
    if (gatewayError.status === 500)
      log.error('unexpected error', { requestId: c.get('requestId'), error: String(error), stack: (error as Error).stack });
    return anthropicErrorResponse(gatewayError, c.get('requestId'));
  });
  return api;
}

/** A route that answers only callers speaking Anthropic's API (`anthropic-version`); others go on to the OpenAI route. */
function anthropicOnly(authenticate: MiddlewareHandler<AppEnv>, handler: (c: Context<AppEnv>) => Response): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.header('anthropic-version') === undefined) return next();
    await authenticate(c, async () => undefined);
    return handler(c);
  };
}

/** POST /v1/messages */
function createMessage({ models, maxBodyBytes, keepaliveMs, inFlight }: AppDependencies) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const request = parseMessagesRequest(await readJson(c.req.raw, maxBodyBytes));
    const chat = toChatRequest(request);
    const model = models.chat(request.model, c.get('principal').models);
    c.set('model', model.name);
    const requestId = c.get('requestId');
    const writer = new MessageEventWriter({
      id: newMessageId(),
      model: request.model,
      inputTokens: completeUsage(chat, undefined, 0).usage.prompt_tokens,
      omitThinking: request.thinking?.display === 'omitted',
    });
    const stops = request.stop_sequences ?? [];
    const cancel = clientSignal(c.req.raw);
    const done = inFlight?.track(cancel);
    let streaming = false;
    try {
      // Always a stream from the model: a stop sequence then ends the generation, not just the text.
      const stream = await model.stream(chat, cancel.signal);
      const events = meterStream(c, cutAtStopSequences(stream.events, stops, chat), {
        model: model.name,
        servedBy: stream.servedBy,
        estimate: (chars) => completeUsage(chat, undefined, chars),
      });
      if (!request.stream) {
        const message = new MessageAccumulator();
        let estimated = true;
        for await (const event of events) {
          if (event.type === 'usage') estimated = event.estimated;
          message.add(writer.take(event));
        }
        message.add(writer.end());
        return jsonResponse(c, message.result(), { ...servedHeaders(stream, estimated), 'request-id': requestId });
      }
      const body = sseBody(events, messageStreamEncoder(writer, requestId), {
        requestId,
        onCancel: () => cancel.abort(),
        signal: cancel.signal,
        keepaliveMs,
        onEnd: done,
      });
      // Known before the first byte: this model does not report its usage, or a stop sequence may cut it.
      const estimated = !model.reportsUsage || stops.length > 0;
      const response = eventStreamResponse(c, body, { ...servedHeaders(stream, estimated), 'request-id': requestId });
      streaming = true;
      return response;
    } finally {
      if (!streaming) done?.();
    }
  };
}

/** POST /v1/messages/count_tokens: no model is called (see `anthropic/count-tokens.ts`). */
function countTokens({ models, maxBodyBytes }: AppDependencies) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const request = parseCountTokensRequest(await readJson(c.req.raw, maxBodyBytes));
    const prompt = chatPrompt(request);
    const model = models.chat(request.model, c.get('principal').models);
    c.set('model', model.name);
    const inputTokens = estimateInputTokens(prompt);
    return jsonResponse(c, { input_tokens: inputTokens }, { 'x-sagegate-usage': 'estimated', 'request-id': c.get('requestId') });
  };
}
