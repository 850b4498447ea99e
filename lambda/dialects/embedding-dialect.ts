import type { ModelConfig } from '../config/config.js';
import { GatewayError } from '../core/gateway-error.js';
import type { EmbeddingsRequest } from '../openai/embeddings-request.js';
import type { DialectTarget } from './dialect.js';

/**
 * An embedding container's format: how an OpenAI embeddings request becomes its payload and how its
 * answer becomes vectors. Like chat dialects, it knows nothing of how the bytes travel, and is made
 * once per configured model.
 */
export interface EmbeddingDialect {
  readonly name: string;
  /** OpenAI-speaking containers take token-id inputs and `dimensions`; others only texts. */
  readonly openAIInputs: boolean;
  /** The container's usual limit on inputs per call; larger requests are sent in batches (config may change it). */
  readonly maxBatch?: number;
  encodeRequest(request: EmbeddingsRequest, texts: string[] | undefined): unknown;
  /** The vectors, in input order, and the prompt tokens when the container counts them. */
  decodeResponse(body: unknown): { vectors: unknown; promptTokens?: number };
}

export type EmbeddingDialectFactory = (model: ModelConfig, target?: DialectTarget) => EmbeddingDialect;

/**
 * The container's vectors checked against the request: one per input, each an array of numbers.
 * Token-level answers (one vector per token, as feature-extraction containers give) are mean-pooled.
 */
export function checkedVectors(vectors: unknown, count: number, model: string): number[][] {
  const bad = (why: string) => new GatewayError(502, `Model '${model}' answered with no usable embeddings (${why}).`, { code: 'upstream_error' });
  if (!Array.isArray(vectors)) throw bad('not an array');
  if (vectors.length !== count) throw bad(`${vectors.length} vectors for ${count} inputs`);
  return vectors.map((vector) => {
    if (!Array.isArray(vector) || vector.length === 0) throw bad('an empty or missing vector');
    if (Array.isArray(vector[0])) return meanPool(vector as unknown[], bad);
    if (!vector.every((x) => typeof x === 'number')) throw bad('a vector of non-numbers');
    return vector as number[];
  });
}

function meanPool(tokens: unknown[], bad: (why: string) => Error): number[] {
  const width = (tokens[0] as unknown[]).length;
  const sum = new Array<number>(width).fill(0);
  for (const token of tokens) {
    if (!Array.isArray(token) || token.length !== width || !token.every((x) => typeof x === 'number')) throw bad('uneven token vectors');
    for (let i = 0; i < width; i++) sum[i]! += token[i] as number;
  }
  return sum.map((x) => x / tokens.length);
}
