import type { Context } from 'hono';
import { embed } from '../../embeddings/embed.js';
import type { Gateway } from '../../gateway.js';
import { parseEmbeddingsRequest } from '../../openai/embeddings-request.js';
import { embeddingsResponse } from '../../openai/embeddings-response.js';
import { embeddingsUsage } from '../../openai/usage-estimate.js';
import type { AppEnv } from '../env.js';
import { readJson } from '../read-json.js';

/** POST /v1/embeddings */
export function embeddings(gateway: Gateway) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const request = parseEmbeddingsRequest(await readJson(c.req.raw, gateway.config.maxBodyBytes));
    const route = gateway.embeddingRoute(request.model, c.get('principal'));
    c.set('model', route.model.name);
    const { vectors, promptTokens } = await embed(route, request, c.req.raw.signal);
    const usage = embeddingsUsage(request, promptTokens);
    if (usage.estimated) c.header('x-sagegate-usage', 'estimated');
    return c.json(embeddingsResponse(request.model, vectors, request.encoding_format, usage.promptTokens));
  };
}
