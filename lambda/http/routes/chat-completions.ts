import type { Context } from 'hono';
import { parseChatRequest } from '../../openai/chat-request.js';
import { ChunkEncoder, chatCompletion, newCompletionMeta } from '../../openai/chat-response.js';
import { clientSignal } from '../client-signal.js';
import type { AppDependencies } from '../dependencies.js';
import type { AppEnv } from '../env.js';
import { readJson } from '../read-json.js';
import { servedHeaders } from '../served-headers.js';
import { SSE_HEADERS, sseBody } from '../sse-body.js';

/** POST /v1/chat/completions */
export function chatCompletions({ models, maxBodyBytes }: AppDependencies) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const request = parseChatRequest(await readJson(c.req.raw, maxBodyBytes));
    const model = models.chat(request.model, c.get('principal').models);
    // Only configured names reach logs and metric dimensions, never whatever a client sent.
    c.set('model', model.name);
    const meta = newCompletionMeta(request.model);
    const cancel = clientSignal(c.req.raw);

    if (!request.stream) {
      const answer = await model.complete(request, cancel.signal);
      if (answer.estimated) c.header('x-sagegate-usage', 'estimated');
      for (const [name, value] of Object.entries(servedHeaders(answer))) c.header(name, value);
      return c.json(chatCompletion(meta, answer, answer.usage));
    }

    // Resolves once the first event is in, so an upstream failure still gets its own HTTP status.
    const stream = await model.stream(request, cancel.signal);
    const includeUsage = request.stream_options?.include_usage === true;
    const body = sseBody(stream.events, new ChunkEncoder(meta, includeUsage), { onCancel: () => cancel.abort(), requestId: c.get('requestId') });
    const headers: Record<string, string> = { ...SSE_HEADERS, ...servedHeaders(stream) };
    // Known before the first byte: this model does not report (all of) its usage.
    if (includeUsage && !model.reportsUsage) headers['x-sagegate-usage'] = 'estimated';
    return new Response(body, { status: 200, headers });
  };
}
