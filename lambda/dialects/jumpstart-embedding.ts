import type { EmbeddingDialect } from './embedding-dialect.js';

/** JumpStart text embedding models (and LiteLLM's `sagemaker/` embeddings): `{"text_inputs"}` → `{"embedding"}`. */
const jumpstart: EmbeddingDialect = {
  name: 'jumpstart-embedding',
  openAIInputs: false,
  encodeRequest: (_request, texts) => ({ text_inputs: texts }),
  decodeResponse: (body) => ({ vectors: (body as { embedding?: unknown } | null)?.embedding }),
};

export const jumpstartEmbedding = () => jumpstart;
