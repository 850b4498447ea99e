import type { DialectName } from '../config/types.js';
import type { ChatDialect } from './dialect.js';
import { openAIChat } from './openai-chat.js';

/** Every container format the gateway speaks. A new one is one file plus an entry here. */
export const dialects: Record<DialectName, ChatDialect> = {
  'openai-chat': openAIChat,
};
