import type { Context } from 'hono';
import { parseEmbeddingsRequest } from '../../openai/embeddings-request.js';
import { embeddingsResponse } from '../../openai/embeddings-response.js';
import { meterWhole } from '../../pipeline/metering.js';
import { servedHeaders } from '../../pipeline/served-headers.js';
import { scopeOf } from '../answer-response.js';
import type { AppDependencies } from '../dependencies.js';
import type { AppEnv } from '../env.js';
import { readJson } from '../read-json.js';
import { jsonResponse } from '../respond.js';

/** POST /v1/embeddings */
export function embeddings(deps: AppDependencies) {
  const { models, maxBodyBytes } = deps;
  return async (c: Context<AppEnv>): Promise<Response> => {
    const request = parseEmbeddingsRequest(await readJson(c.req.raw, maxBodyBytes));
    const model = models.embedding(request.model, c.get('principal').models);
    c.set('model', model.name);
    const result = await model.embed(request, c.req.raw.signal);
    const headers = servedHeaders(result, result.estimated);
    await meterWhole(scopeOf(c, deps), {
      api: 'embeddings',
      model: model.name,
      servedBy: result.servedBy,
      usage: { prompt_tokens: result.promptTokens },
      estimated: result.estimated,
    });
    return jsonResponse(c, embeddingsResponse(request.model, result.vectors, request.encoding_format, result.promptTokens), headers);
  };
}
