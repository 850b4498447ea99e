import type { Context } from 'hono';
import { parseCompletionRequest, singlePrompt } from '../../openai/completions-request.js';
import { newTextCompletionMeta, TextChunkEncoder, textCompletion } from '../../openai/completions-response.js';
import { respond } from '../answer-response.js';
import type { AppDependencies } from '../dependencies.js';
import type { AppEnv } from '../env.js';
import { readJson } from '../read-json.js';

/** POST /v1/completions: legacy text completions (code-completion plugins), answered as chat is. */
export function completions(deps: AppDependencies) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const { echo: echoed, ...request } = parseCompletionRequest(await readJson(c.req.raw, deps.maxBodyBytes));
    const meta = newTextCompletionMeta(request.model);
    // `echo` puts the prompt before the text; the gateway does it, so every container supports it.
    const echo = echoed ? (singlePrompt(request) ?? '') : undefined;
    const includeUsage = request.stream_options?.include_usage === true;
    return respond(c, deps, {
      api: 'completions',
      model: deps.models.completion(request.model, c.get('principal').models),
      request,
      stream: request.stream === true,
      streamShowsUsage: includeUsage,
      body: (answer) => textCompletion(meta, answer.choices, answer.usage, echo),
      encoder: () => new TextChunkEncoder(meta, includeUsage, echo),
    });
  };
}
