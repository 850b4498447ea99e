import type { EmbeddingDialect } from './embedding-dialect.js';

/**
 * Hugging Face Text Embeddings Inference (TEI), SageMaker's embedding container (wire-facts §2):
 * `{"inputs": [...], "normalize": true, "truncate": false}` answered by `[[...], ...]`. No token counts.
 */
export const teiEmbed: EmbeddingDialect = {
  name: 'tei',
  openAIInputs: false,
  encodeRequest: (_request, texts) => ({ inputs: texts, normalize: true, truncate: false }),
  decodeResponse: (body) => ({ vectors: body }),
};
