import type { ModelConfig } from '../config/config.js';
import type { DialectTarget } from './dialect.js';
import type { EmbeddingDialect } from './embedding-dialect.js';

/**
 * OpenAI's embeddings API as vLLM (its `/invocations` takes it on SageMaker) and OpenAI-compatible
 * servers speak it. The request goes as sent, in floats, under the upstream's own model name.
 */
export function openAIEmbeddings(_model: ModelConfig, { modelField }: DialectTarget = {}): EmbeddingDialect {
  return {
    name: 'openai-embeddings',
    openAIInputs: true,
    encodeRequest: (request) => {
      const { model: _client, encoding_format: _format, ...rest } = request;
      return { ...rest, encoding_format: 'float', ...(modelField !== undefined && { model: modelField }) };
    },
    decodeResponse: (body) => {
      const b = body as { data?: { embedding?: unknown; index?: number }[]; usage?: { prompt_tokens?: number } } | null;
      const data = Array.isArray(b?.data) ? [...b.data].sort((x, y) => (x.index ?? 0) - (y.index ?? 0)) : undefined;
      return { vectors: data?.map((d) => d.embedding), promptTokens: b?.usage?.prompt_tokens };
    },
  };
}
