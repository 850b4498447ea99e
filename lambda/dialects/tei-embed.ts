import type { EmbeddingDialect } from './embedding-dialect.js';

/**
 * Hugging Face Text Embeddings Inference (TEI), SageMaker's embedding container (wire-facts §2):
 * `{"inputs": [...], "normalize": true, "truncate": false}` answered by `[[...], ...]`. No token counts.
 * At most 32 inputs a call unless the container was started with a larger --max-client-batch-size.
 */
export const teiEmbed: EmbeddingDialect = {
  name: 'tei',
  openAIInputs: false,
  // TEI's default --max-client-batch-size.
  maxBatch: 32,
  encodeRequest: (_request, texts) => ({ inputs: texts, normalize: true, truncate: false }),
  decodeResponse: (body) => ({ vectors: body }),
};
