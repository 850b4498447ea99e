import type { Context } from 'hono';
import { parseEmbeddingsRequest } from '../../openai/embeddings-request.js';
import { embeddingsResponse } from '../../openai/embeddings-response.js';
import type { AppDependencies } from '../dependencies.js';
import type { AppEnv } from '../env.js';
import { readJson } from '../read-json.js';
import { servedHeaders } from '../served-headers.js';

/** POST /v1/embeddings */
export function embeddings({ models, maxBodyBytes }: AppDependencies) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const request = parseEmbeddingsRequest(await readJson(c.req.raw, maxBodyBytes));
    const model = models.embedding(request.model, c.get('principal').models);
    c.set('model', model.name);
    const result = await model.embed(request, c.req.raw.signal);
    if (result.estimated) c.header('x-sagegate-usage', 'estimated');
    for (const [name, value] of Object.entries(servedHeaders(result))) c.header(name, value);
    return c.json(embeddingsResponse(request.model, result.vectors, request.encoding_format, result.promptTokens));
  };
}
