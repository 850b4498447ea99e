import type { Context } from 'hono';
import { parseChatRequest } from '../../openai/chat-request.js';
import { ChunkEncoder, chatCompletion, newCompletionMeta } from '../../openai/chat-response.js';
import { respond } from '../answer-response.js';
import type { AppDependencies } from '../dependencies.js';
import type { AppEnv } from '../env.js';
import { readJson } from '../read-json.js';

/** POST /v1/chat/completions */
export function chatCompletions(deps: AppDependencies) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const request = parseChatRequest(await readJson(c.req.raw, deps.maxBodyBytes));
    const meta = newCompletionMeta(request.model);
    const includeUsage = request.stream_options?.include_usage === true;
    return respond(c, deps, {
      api: 'chat_completions',
      model: deps.models.chat(request.model, c.get('principal').models),
      request,
      stream: request.stream === true,
      streamShowsUsage: includeUsage,
      body: (answer) => chatCompletion(meta, answer, answer.usage),
      encoder: () => new ChunkEncoder(meta, includeUsage),
    });
  };
}
