import type { EmbeddingRoute } from '../gateway.js';
import { checkedVectors } from '../dialects/embedding-dialect.js';
import { invalidRequest } from '../http/errors.js';
import { invokeJson } from '../providers/invoke-json.js';
import { SAGEMAKER_MAX_BODY, overSageMakerLimit } from '../providers/sagemaker/payload-limit.js';
import { textInputs, type EmbeddingsRequest } from '../openai/embeddings-request.js';

/** Batches of one request in flight at once: enough to overlap, few enough not to swamp one endpoint. */
const PARALLEL_BATCHES = 4;

/**
 * One embeddings request through an embedding route: the vectors in input order, and the tokens if
 * counted. Inputs beyond the container's batch limit (TEI takes 32 by default; clients such as
 * LangChain send hundreds) are sent in batches and the answers joined.
 */
export async function embed(route: EmbeddingRoute, request: EmbeddingsRequest, signal: AbortSignal): Promise<{ vectors: number[][]; promptTokens?: number }> {
  const { model, dialect } = route;
  if (!dialect.openAIInputs) {
    if (!textInputs(request)) throw invalidRequest(`Model '${model.name}' takes text inputs, not token ids.`, 'input', 'unsupported_input');
    if (request.dimensions !== undefined) throw invalidRequest(`Model '${model.name}' does not support 'dimensions'.`, 'dimensions', 'unsupported_parameter');
  }
  const batches = batchesOf(request, model.maxBatch ?? dialect.maxBatch ?? Number.POSITIVE_INFINITY);
  const answers = new Array<{ vectors: number[][]; promptTokens?: number }>(batches.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < batches.length; i = next++) answers[i] = await embedBatch(route, batches[i]!, signal);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_BATCHES, batches.length) }, worker));
  const counted = answers.every((a) => a.promptTokens !== undefined);
  return { vectors: answers.flatMap((a) => a.vectors), promptTokens: counted ? answers.reduce((n, a) => n + a.promptTokens!, 0) : undefined };
}

/** The request cut into requests of at most `size` inputs (a single input or one token-id list stays whole). */
function batchesOf(request: EmbeddingsRequest, size: number): { request: EmbeddingsRequest; count: number }[] {
  const { input } = request;
  if (typeof input === 'string' || typeof input[0] === 'number') return [{ request, count: 1 }];
  const items = input as string[] | number[][];
  const batches: { request: EmbeddingsRequest; count: number }[] = [];
  for (let at = 0; at < items.length; at += size) {
    const part = items.slice(at, at + size);
    batches.push({ request: { ...request, input: part }, count: part.length });
  }
  return batches;
}

async function embedBatch({ model, dialect, transport }: EmbeddingRoute, batch: { request: EmbeddingsRequest; count: number }, signal: AbortSignal) {
  const payload = JSON.stringify(dialect.encodeRequest(batch.request, textInputs(batch.request), model));
  const size = Buffer.byteLength(payload);
  if (model.provider === 'sagemaker' && size > SAGEMAKER_MAX_BODY) throw overSageMakerLimit(model, size, 'send fewer or shorter inputs per request');
  const body = await invokeJson(transport, payload, signal, model.name);
  const { vectors, promptTokens } = dialect.decodeResponse(body, model);
  return { vectors: checkedVectors(vectors, batch.count, model.name), promptTokens };
}
