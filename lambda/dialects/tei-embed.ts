import type { EmbeddingDialect } from './embedding-dialect.js';

/** Hugging Face Text Embeddings Inference: `{"inputs": [...]}` answered by `[[...], ...]`. */
const tei: EmbeddingDialect = {
  name: 'tei',
  openAIInputs: false,
  // TEI's default --max-client-batch-size.
  maxBatch: 32,
  encodeRequest: (_request, texts) => ({ inputs: texts, normalize: true, truncate: false }),
  decodeResponse: (body) => ({ vectors: body }),
};

export const teiEmbed = () => tei;
