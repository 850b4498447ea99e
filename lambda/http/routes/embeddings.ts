import type { Context } from 'hono';
import { embed } from '../../embeddings/embed.js';
import type { Gateway } from '../../gateway.js';
import { parseEmbeddingsRequest, textInputs } from '../../openai/embeddings-request.js';
import { embeddingsResponse } from '../../openai/embeddings-response.js';
import { estimateTokens } from '../../openai/usage-estimate.js';
import type { AppEnv } from '../env.js';
import { readJson } from '../read-json.js';

/** POST /v1/embeddings */
export function embeddings(gateway: Gateway) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const request = parseEmbeddingsRequest(await readJson(c.req.raw, gateway.config.maxBodyBytes));
    const route = gateway.embeddingRoute(request.model, c.get('principal'));
    c.set('model', route.model.name);
    const { vectors, promptTokens } = await embed(route, request, c.req.raw.signal);
    // Containers that count no tokens get an estimate, marked as such (as for chat); token ids count themselves.
    const texts = textInputs(request);
    const tokens = promptTokens ?? (texts ? estimateTokens(texts.reduce((n, t) => n + t.length, 0)) : (request.input as number[] | number[][]).flat().length);
    if (promptTokens === undefined) c.header('x-sagegate-usage', 'estimated');
    return c.json(embeddingsResponse(request.model, vectors, request.encoding_format, tokens));
  };
}
