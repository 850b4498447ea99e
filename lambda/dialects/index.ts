import type { ChatDialect } from './dialect.js';
import type { EmbeddingDialect } from './embedding-dialect.js';
import { jumpstartEmbedding } from './jumpstart-embedding.js';
import { jumpstartText } from './jumpstart-text.js';
import { lmiRollingBatch } from './lmi-rolling-batch.js';
import { openAIChat } from './openai-chat.js';
import { openAIEmbeddings } from './openai-embeddings.js';
import { teiEmbed } from './tei-embed.js';
import { tgiGenerate } from './tgi-generate.js';

/**
 * Every container format the gateway speaks: chat containers, and embedding containers. A new one is
 * one file plus an entry here; the config schema and the `DialectName` type follow from these tables.
 */
export const dialects = {
  'openai-chat': openAIChat,
  'tgi-generate': tgiGenerate,
  'lmi-rolling-batch': lmiRollingBatch,
  'jumpstart-text': jumpstartText,
} satisfies Record<string, ChatDialect>;

export const embeddingDialects = {
  tei: teiEmbed,
  'jumpstart-embedding': jumpstartEmbedding,
  'openai-embeddings': openAIEmbeddings,
} satisfies Record<string, EmbeddingDialect>;

export type ChatDialectName = keyof typeof dialects;
export type EmbeddingDialectName = keyof typeof embeddingDialects;
export type DialectName = ChatDialectName | EmbeddingDialectName;
export const DIALECT_NAMES = [...Object.keys(dialects), ...Object.keys(embeddingDialects)] as [DialectName, ...DialectName[]];

export const isEmbeddingDialect = (name: DialectName): name is EmbeddingDialectName => Object.hasOwn(embeddingDialects, name);
