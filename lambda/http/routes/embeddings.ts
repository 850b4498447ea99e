import type { Context } from 'hono';
import { parseEmbeddingsRequest } from '../../openai/embeddings-request.js';
import { embeddingsResponse } from '../../openai/embeddings-response.js';
import type { AppDependencies } from '../dependencies.js';
import type { AppEnv } from '../env.js';
import { meterAnswer } from '../metering.js';
import { readJson } from '../read-json.js';
import { jsonResponse } from '../respond.js';
import { servedHeaders } from '../served-headers.js';

/** POST /v1/embeddings */
export function embeddings({ models, maxBodyBytes }: AppDependencies) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const request = parseEmbeddingsRequest(await readJson(c.req.raw, maxBodyBytes));
    const model = models.embedding(request.model, c.get('principal').models);
    c.set('model', model.name);
    const result = await model.embed(request, c.req.raw.signal);
    const headers = servedHeaders(result, result.estimated);
    await meterAnswer(c, {
      model: model.name,
      servedBy: result.servedBy,
      usage: { prompt_tokens: result.promptTokens },
      estimated: result.estimated,
    });
    return jsonResponse(c, embeddingsResponse(request.model, result.vectors, request.encoding_format, result.promptTokens), headers);
  };
}
