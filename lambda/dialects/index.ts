import type { CHAT_DIALECTS, ChatDialectName, EmbeddingDialectName } from '../config/names.js';
import type { ChatDialect, ChatDialectFactory, StreamingChatDialect } from './dialect.js';
import type { EmbeddingDialectFactory } from './embedding-dialect.js';
import { jumpstartEmbedding } from './jumpstart-embedding.js';
import { jumpstartText } from './jumpstart-text.js';
import { lmiRollingBatch } from './lmi-rolling-batch.js';
import { openAIChat, tgiChat } from './openai-chat.js';
import { openAIEmbeddings } from './openai-embeddings.js';
import { teiEmbed } from './tei-embed.js';
import { tgiGenerate } from './tgi-generate.js';

/**
 * Every container format the gateway speaks, by the names in `core/names.ts`. A new one is one file
 * plus its name there and its entry here; a dialect named as streaming must have a stream decoder.
 */
export const chatDialects: {
  [K in ChatDialectName]: ChatDialectFactory<(typeof CHAT_DIALECTS)[K]['streams'] extends true ? StreamingChatDialect : ChatDialect>;
} = {
  'openai-chat': openAIChat,
  'tgi-chat': tgiChat,
  'tgi-generate': tgiGenerate,
  'lmi-rolling-batch': lmiRollingBatch,
  'jumpstart-text': jumpstartText,
};

export const embeddingDialects: Record<EmbeddingDialectName, EmbeddingDialectFactory> = {
  tei: teiEmbed,
  'jumpstart-embedding': jumpstartEmbedding,
  'openai-embeddings': openAIEmbeddings,
};

export type { AnswerConventions, ChatDialect, StreamDecoder } from './dialect.js';
export { checkedVectors, type EmbeddingDialect } from './embedding-dialect.js';
