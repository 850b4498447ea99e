import type { ChatDialect } from './dialect.js';
import { jumpstartText } from './jumpstart-text.js';
import { lmiRollingBatch } from './lmi-rolling-batch.js';
import { openAIChat } from './openai-chat.js';
import { tgiGenerate } from './tgi-generate.js';

/**
 * Every container format the gateway speaks. A new one is one file plus an entry here; the config
 * schema and the `DialectName` type follow from this table.
 */
export const dialects = {
  'openai-chat': openAIChat,
  'tgi-generate': tgiGenerate,
  'lmi-rolling-batch': lmiRollingBatch,
  'jumpstart-text': jumpstartText,
} satisfies Record<string, ChatDialect>;

export type DialectName = keyof typeof dialects;
export const DIALECT_NAMES = Object.keys(dialects) as [DialectName, ...DialectName[]];
