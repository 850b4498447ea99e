import type { ModelConfig } from '../config/config.js';
import { invalidRequest } from '../core/gateway-error.js';
import { checkedVectors, type EmbeddingDialect } from '../dialects/index.js';
import { type EmbeddingsRequest, textInputs } from '../openai/embeddings-request.js';
import { embeddingsUsage } from '../openai/usage-estimate.js';
import { invokeJson, payloadTooLarge, type Transport } from '../upstreams/index.js';
import type { Served } from './answer-model.js';

/** Batches of one request in flight at once: enough to overlap, few enough not to swamp one endpoint. */
const PARALLEL_BATCHES = 4;

export interface Embeddings extends Served {
  /** One vector per input, in input order. */
  vectors: number[][];
  promptTokens: number;
  /** True when the container counted no tokens and the gateway estimated them. */
  estimated: boolean;
}

/** An embedding model as the HTTP layer uses it: one per configured model, dialect bound to transport. */
export interface EmbeddingModel {
  readonly name: string;
  embed(request: EmbeddingsRequest, signal: AbortSignal): Promise<Embeddings>;
}

/**
 * The embedding model of one configured model. Inputs beyond the container's batch limit (TEI takes
 * 32 by default; clients such as LangChain send hundreds) are sent in batches and the answers joined.
 */
export function createEmbeddingModel(
  config: ModelConfig,
  { dialect, transport }: { dialect: EmbeddingDialect; transport: Transport },
): EmbeddingModel {
  const name = config.name;
  const batchSize = config.maxBatch ?? dialect.maxBatch ?? Number.POSITIVE_INFINITY;

  async function embedBatch(batch: { request: EmbeddingsRequest; count: number }, signal: AbortSignal) {
    const payload = JSON.stringify(dialect.encodeRequest(batch.request, textInputs(batch.request)));
    const limit = transport.bodyLimit;
    const size = limit ? Buffer.byteLength(payload) : 0;
    if (limit && size > limit.bytes) throw payloadTooLarge(name, size, limit, 'send fewer or shorter inputs per request');
    const { vectors, promptTokens } = dialect.decodeResponse(await invokeJson(transport, payload, signal, name));
    return { vectors: checkedVectors(vectors, batch.count, name), promptTokens };
  }

  return {
    name,
    async embed(request, signal) {
      if (!dialect.openAIInputs) {
        if (!textInputs(request)) throw invalidRequest(`Model '${name}' takes text inputs, not token ids.`, 'input', 'unsupported_input');
        if (request.dimensions !== undefined)
          throw invalidRequest(`Model '${name}' does not support 'dimensions'.`, 'dimensions', 'unsupported_parameter');
      }
      const batches = batchesOf(request, batchSize);
      const answers = new Array<{ vectors: number[][]; promptTokens?: number }>(batches.length);
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < batches.length; i = next++) answers[i] = await embedBatch(batches[i]!, signal);
      };
      await Promise.all(Array.from({ length: Math.min(PARALLEL_BATCHES, batches.length) }, worker));
      const counted = answers.every((a) => a.promptTokens !== undefined);
      const usage = embeddingsUsage(request, counted ? answers.reduce((n, a) => n + a.promptTokens!, 0) : undefined);
      return { vectors: answers.flatMap((a) => a.vectors), ...usage, servedBy: config.id };
    },
  };
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
