import type { OpenAIModel } from '../../config/config.js';
import { openAICompatibleServer } from '../openai-http/upstream.js';
import type { Upstream } from '../upstream.js';
import { listPrice } from './list-prices.js';

/** A hosted provider (OpenAI, DeepSeek, ...) reached by its hosted model name: an OpenAI-compatible server with list prices. */
export const hostedProvider: Upstream<OpenAIModel> = { ...openAICompatibleServer, listPrice, takesMaxCompletionTokens: true };
