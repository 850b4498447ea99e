import { type ModelConfig, upstreamModelField } from '../core/config.js';
import type { EmbeddingDialect } from './embedding-dialect.js';

/**
 * OpenAI's embeddings API as vLLM (its `/invocations` takes it on SageMaker) and OpenAI-compatible
 * servers speak it. The request goes as sent, in floats, under the upstream's own model name.
 */
export function openAIEmbeddings(model: ModelConfig): EmbeddingDialect {
  return {
    name: 'openai-embeddings',
    openAIInputs: true,
    encodeRequest: (request) => {
      const { model: _client, encoding_format: _format, ...rest } = request;
      const name = upstreamModelField(model);
      return { ...rest, encoding_format: 'float', ...(name !== undefined && { model: name }) };
    },
    decodeResponse: (body) => {
      const b = body as { data?: { embedding?: unknown; index?: number }[]; usage?: { prompt_tokens?: number } } | null;
      const data = Array.isArray(b?.data) ? [...b.data].sort((x, y) => (x.index ?? 0) - (y.index ?? 0)) : undefined;
      return { vectors: data?.map((d) => d.embedding), promptTokens: b?.usage?.prompt_tokens };
    },
  };
}
