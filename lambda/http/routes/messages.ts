import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { estimateInputTokens } from '../../anthropic/count-tokens.js';
import { anthropicErrorResponse } from '../../anthropic/errors.js';
import { MessageEventWriter, newMessageId } from '../../anthropic/message-events.js';
import { messageFromAnswer } from '../../anthropic/message-object.js';
import { messageStreamEncoder } from '../../anthropic/message-sse.js';
import { messagesModel } from '../../anthropic/messages-model.js';
import { type MessagesRequest, parseCountTokensRequest, parseMessagesRequest } from '../../anthropic/messages-request.js';
import { anthropicModel, anthropicModelList } from '../../anthropic/models-list.js';
import { relayedBody, relayedRequest, relayedStreamEncoder } from '../../anthropic/relayed-messages.js';
import { chatPrompt, toChatRequest } from '../../anthropic/to-chat-request.js';
import { GatewayError, quoted, toGatewayError } from '../../core/gateway-error.js';
import { log } from '../../core/log.js';
import type { AllowedModels } from '../../models/model-catalog.js';
import type { RelayModel } from '../../models/relay-model.js';
import { completeUsage, promptChars } from '../../openai/usage-estimate.js';
import { respond } from '../answer-response.js';
import type { AppDependencies } from '../dependencies.js';
import type { AppEnv } from '../env.js';
import { authenticate } from '../middleware/authenticate.js';
import { usageGate } from '../middleware/usage-gate.js';
import { readJson } from '../read-json.js';
import { jsonResponse } from '../respond.js';

/**
 * Anthropic's Messages API (`/v1/messages`, `/v1/messages/count_tokens`, and `/v1/models` for
 * callers that send `anthropic-version`) on every chat model, for Claude Code and the Anthropic SDKs
 * (docs/messages-api.md). Same keys (`x-api-key` or `Authorization: Bearer`), scopes, budgets,
 * limits, metering, pings and shutdown as chat completions; every error in Anthropic's shape, its
 * authentication errors included, hence a sub-app with its own error handler. Mounted before the
 * OpenAI routes so that their middleware never answers these paths.
 */
export function messagesApi(deps: AppDependencies): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  const authenticated = authenticate(deps);
  api.post('/messages', authenticated, usageGate(deps), createMessage(deps));
  api.post('/messages/count_tokens', authenticated, countTokens(deps));
  api.all('/messages/*', (c) => {
    throw new GatewayError(
      404,
      `${quoted(c.req.method, 16)} ${quoted(c.req.path, 128)} is not served by this gateway (Message Batches are not supported).`,
    );
  });
  api.get(
    '/models',
    anthropicOnly(authenticated, (c) => c.json(anthropicModelList(deps.models.visible(c.get('principal').models)))),
  );
  api.get(
    '/models/:id{.+}',
    anthropicOnly(authenticated, (c) => {
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

/**
 * POST /v1/messages: through the answer pipeline, as every API is. A model whose deployments are all
 * on Anthropic's own API gets the request relayed as it came; any other is translated onto its chat model.
 */
function createMessage(deps: AppDependencies) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const body = await readJson(c.req.raw, deps.maxBodyBytes);
    const requestId = c.get('requestId');
    const relay = relayOf(deps, body, c.get('principal').models);
    const response = relay
      ? await respond(c, deps, {
          api: 'messages',
          model: relay,
          request: relayedRequest(body as Record<string, unknown>, (name) => c.req.header(name)),
          stream: (body as { stream?: unknown }).stream === true,
          streamShowsUsage: true,
          body: relayedBody,
          encoder: () => relayedStreamEncoder(requestId),
        })
      : await translated(c, deps, parseMessagesRequest(body));
    // Anthropic's SDKs read the request id from this header.
    response.headers.set('request-id', requestId);
    return response;
  };
}

/** The relay for the model a request names, if it has one (a request that names none is left to the full parse's error). */
function relayOf({ models }: AppDependencies, body: unknown, allowed: AllowedModels): RelayModel | undefined {
  const model = (body as { model?: unknown } | null)?.model;
  if (typeof body !== 'object' || Array.isArray(body) || typeof model !== 'string') return undefined;
  return models.messagesRelay(model, allowed);
}

/** A Messages request answered by a chat model: translated to a chat request, its answer and stream to Anthropic's shapes. */
async function translated(c: Context<AppEnv>, deps: AppDependencies, request: MessagesRequest): Promise<Response> {
  const chat = toChatRequest(request);
  const model = deps.models.chat(request.model, c.get('principal').models);
  const prompt = promptChars(chat);
  const requestId = c.get('requestId');
  const meta = {
    id: newMessageId(),
    model: request.model,
    inputTokens: completeUsage(prompt, undefined, 0).usage.prompt_tokens,
    omitThinking: request.thinking?.display === 'omitted',
  };
  return respond(c, deps, {
    api: 'messages',
    model: messagesModel(model, request.stop_sequences ?? [], prompt),
    request: chat,
    stream: request.stream === true,
    // message_delta always carries the usage.
    streamShowsUsage: true,
    body: (answer) => messageFromAnswer(meta, answer),
    encoder: () => messageStreamEncoder(new MessageEventWriter(meta), requestId),
  });
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
