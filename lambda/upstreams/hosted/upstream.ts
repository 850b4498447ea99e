import type { OpenAIModel } from '../../config/config.js';
import { openAICompatibleServer } from '../openai-http/upstream.js';
import type { Upstream } from '../upstream.js';
import { anthropicMessages } from './anthropic-messages.js';
import { listPrice } from './list-prices.js';

/**
 * A hosted provider (OpenAI, Anthropic, DeepSeek, ...) reached by its hosted model name: an
 * OpenAI-compatible server with list prices; Anthropic's also by its own Messages API.
 */
export const hostedProvider: Upstream<OpenAIModel> = {
  ...openAICompatibleServer,
  transports: (model) => ({
    ...openAICompatibleServer.transports(model),
    ...(model.hosted === 'anthropic' && { messages: anthropicMessages(model, openAICompatibleServer.modelField(model)) }),
  }),
  listPrice,
  takesMaxCompletionTokens: true,
};
