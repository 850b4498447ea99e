import type { Context } from 'hono';
import { assertModelAccepts, completeChat, streamChat } from '../../chat/chat-service.js';
import type { Gateway } from '../../gateway.js';
import { prepareImages } from '../../images/prepare-images.js';
import { parseChatRequest } from '../../openai/chat-request.js';
import { ChunkEncoder, chatCompletion, newCompletionMeta } from '../../openai/chat-response.js';
import { completeUsage } from '../../openai/usage-estimate.js';
import type { AppEnv } from '../env.js';
import { readJson } from '../read-json.js';
import { SSE_HEADERS, sseBody } from '../sse-body.js';

/** POST /v1/chat/completions */
export function chatCompletions(gateway: Gateway) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const parsed = parseChatRequest(await readJson(c.req.raw, gateway.config.maxBodyBytes));
    const route = gateway.route(parsed.model, c.get('principal'));
    // Only configured names reach logs and metric dimensions, never whatever a client sent.
    c.set('model', route.model.name);
    assertModelAccepts(route, parsed);

    const meta = newCompletionMeta(parsed.model);
    // Aborted when the client leaves (the request's signal) or when the body stream is cancelled.
    // A listener rather than AbortSignal.any, which costs ~20 µs per call on Node 20 (WeakRefs).
    const cancel = new AbortController();
    const { signal } = cancel;
    const clientSignal = c.req.raw.signal;
    if (clientSignal.aborted) cancel.abort(clientSignal.reason);
    else clientSignal.addEventListener('abort', () => cancel.abort(clientSignal.reason), { once: true });
    const request = route.model.vision ? await prepareImages(parsed, route.model, gateway.images, signal) : parsed;

    if (!request.stream) {
      const result = await completeChat(route, request, signal);
      const chars = result.choices.reduce((n, ch) => n + (ch.message.content?.length ?? 0), 0);
      const { usage, estimated } = completeUsage(request, result.usage, chars);
      if (estimated) c.header('x-sagegate-usage', 'estimated');
      return c.json(chatCompletion(meta, result, usage));
    }

    const events = streamChat(route, request, signal);
    // Wait for the first event so that an upstream failure still gets its own HTTP status.
    const first = await events.next();
    const includeUsage = request.stream_options?.include_usage === true;
    const body = sseBody(first, events, {
      encoder: new ChunkEncoder(meta),
      usage: includeUsage ? (reported, chars) => completeUsage(request, reported, chars).usage : undefined,
      onCancel: () => cancel.abort(),
    });
    const headers: Record<string, string> = { ...SSE_HEADERS };
    // Known before the first byte: this container does not report (all of) its usage.
    if (includeUsage && route.dialect.usage !== 'full') headers['x-sagegate-usage'] = 'estimated';
    return new Response(body, { status: 200, headers });
  };
}
