import type { Context } from 'hono';
import { parseCompletionRequest, singlePrompt } from '../../openai/completions-request.js';
import { newTextCompletionMeta, TextChunkEncoder, textCompletion } from '../../openai/completions-response.js';
import { clientSignal } from '../client-signal.js';
import type { AppDependencies } from '../dependencies.js';
import type { AppEnv } from '../env.js';
import { readJson } from '../read-json.js';
import { SSE_HEADERS, sseBody } from '../sse-body.js';

/** POST /v1/completions: legacy text completions (code-completion plugins), streaming or not. */
export function completions({ models, maxBodyBytes }: AppDependencies) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const request = parseCompletionRequest(await readJson(c.req.raw, maxBodyBytes));
    const model = models.completion(request.model, c.get('principal').models);
    c.set('model', model.name);
    const meta = newTextCompletionMeta(request.model);
    // `echo` puts the prompt before the text; the gateway does it, so every container supports it.
    const echo = request.echo ? (singlePrompt(request) ?? '') : undefined;
    const { echo: _echo, ...sent } = request;
    const cancel = clientSignal(c.req.raw);

    if (!request.stream) {
      const answer = await model.complete(sent, cancel.signal);
      if (answer.estimated) c.header('x-sagegate-usage', 'estimated');
      return c.json(textCompletion(meta, answer.choices, answer.usage, echo));
    }
    const { events } = await model.stream(sent, cancel.signal);
    const includeUsage = request.stream_options?.include_usage === true;
    const body = sseBody(events, new TextChunkEncoder(meta, includeUsage, echo), { onCancel: () => cancel.abort(), requestId: c.get('requestId') });
    const headers: Record<string, string> = { ...SSE_HEADERS };
    if (includeUsage && !model.reportsUsage) headers['x-sagegate-usage'] = 'estimated';
    return new Response(body, { status: 200, headers });
  };
}
