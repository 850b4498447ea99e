import type { DialectName } from '../config/types.js';
import type { ChatDialect } from './dialect.js';
import { jumpstartText } from './jumpstart-text.js';
import { lmiRollingBatch } from './lmi-rolling-batch.js';
import { openAIChat } from './openai-chat.js';
import { tgiGenerate } from './tgi-generate.js';

/** Every container format the gateway speaks. A new one is one file plus an entry here. */
export const dialects: Record<DialectName, ChatDialect> = {
  'openai-chat': openAIChat,
  'tgi-generate': tgiGenerate,
  'lmi-rolling-batch': lmiRollingBatch,
  'jumpstart-text': jumpstartText,
};
