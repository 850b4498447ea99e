import type { HostedProvider, OpenAIModel } from '../../config/config.js';
import type { TokenPrices } from '../upstream.js';

const per = (inputPerToken: number, outputPerToken: number): TokenPrices => ({ inputPerToken, outputPerToken });

/**
 * The public list prices of the hosted models LiteLLM users name most, per provider and model id as
 * sent upstream (dated snapshots included where their price differs or users pin them). Taken from
 * LiteLLM's price map, `model_prices_and_context_window.json` (docs/wire-facts.md §10): base input and
 * output rates only (no cached-input, batch, priority or above-200k-token tiers). They are used for a
 * deployment only when it reaches the provider by its hosted name and the config gives no prices:
 * SageMaker endpoints and other OpenAI-compatible servers have no list price, so they never get one.
 */
const LIST_PRICES: Partial<Record<HostedProvider, Record<string, TokenPrices>>> = {
  openai: {
    'gpt-3.5-turbo': per(5e-7, 1.5e-6),
    'gpt-3.5-turbo-0125': per(5e-7, 1.5e-6),
    'gpt-4': per(3e-5, 6e-5),
    'gpt-4-0613': per(3e-5, 6e-5),
    'gpt-4-turbo': per(1e-5, 3e-5),
    'gpt-4-turbo-2024-04-09': per(1e-5, 3e-5),
    'gpt-4-turbo-preview': per(1e-5, 3e-5),
    'gpt-4o': per(2.5e-6, 1e-5),
    'gpt-4o-2024-05-13': per(5e-6, 1.5e-5),
    'gpt-4o-2024-08-06': per(2.5e-6, 1e-5),
    'gpt-4o-2024-11-20': per(2.5e-6, 1e-5),
    'chatgpt-4o-latest': per(5e-6, 1.5e-5),
    'gpt-4o-mini': per(1.5e-7, 6e-7),
    'gpt-4o-mini-2024-07-18': per(1.5e-7, 6e-7),
    'gpt-4.1': per(2e-6, 8e-6),
    'gpt-4.1-2025-04-14': per(2e-6, 8e-6),
    'gpt-4.1-mini': per(4e-7, 1.6e-6),
    'gpt-4.1-mini-2025-04-14': per(4e-7, 1.6e-6),
    'gpt-4.1-nano': per(1e-7, 4e-7),
    'gpt-4.1-nano-2025-04-14': per(1e-7, 4e-7),
    o1: per(1.5e-5, 6e-5),
    'o1-2024-12-17': per(1.5e-5, 6e-5),
    o3: per(2e-6, 8e-6),
    'o3-2025-04-16': per(2e-6, 8e-6),
    'o3-mini': per(1.1e-6, 4.4e-6),
    'o3-mini-2025-01-31': per(1.1e-6, 4.4e-6),
    'o4-mini': per(1.1e-6, 4.4e-6),
    'o4-mini-2025-04-16': per(1.1e-6, 4.4e-6),
  },
  anthropic: {
    'claude-3-haiku-20240307': per(2.5e-7, 1.25e-6),
    'claude-3-opus-20240229': per(1.5e-5, 7.5e-5),
    'claude-3-opus-latest': per(1.5e-5, 7.5e-5),
    'claude-3-5-haiku-20241022': per(8e-7, 4e-6),
    'claude-3-5-haiku-latest': per(1e-6, 5e-6),
    'claude-3-5-sonnet-20240620': per(3e-6, 1.5e-5),
    'claude-3-5-sonnet-20241022': per(3e-6, 1.5e-5),
    'claude-3-5-sonnet-latest': per(3e-6, 1.5e-5),
    'claude-3-7-sonnet-20250219': per(3e-6, 1.5e-5),
    'claude-3-7-sonnet-latest': per(3e-6, 1.5e-5),
    'claude-sonnet-4-20250514': per(3e-6, 1.5e-5),
    'claude-4-sonnet-20250514': per(3e-6, 1.5e-5),
    'claude-sonnet-4-5': per(3e-6, 1.5e-5),
    'claude-sonnet-4-5-20250929': per(3e-6, 1.5e-5),
    'claude-sonnet-4-6': per(3e-6, 1.5e-5),
    'claude-opus-4-20250514': per(1.5e-5, 7.5e-5),
    'claude-4-opus-20250514': per(1.5e-5, 7.5e-5),
    'claude-opus-4-1': per(1.5e-5, 7.5e-5),
    'claude-opus-4-1-20250805': per(1.5e-5, 7.5e-5),
    'claude-opus-4-5': per(5e-6, 2.5e-5),
    'claude-opus-4-5-20251101': per(5e-6, 2.5e-5),
    'claude-opus-4-6': per(5e-6, 2.5e-5),
    'claude-haiku-4-5': per(1e-6, 5e-6),
    'claude-haiku-4-5-20251001': per(1e-6, 5e-6),
  },
  deepseek: {
    'deepseek-chat': per(2.8e-7, 4.2e-7),
    'deepseek-reasoner': per(2.8e-7, 4.2e-7),
  },
};

/** The list price of a hosted deployment by the model name it sends. */
export function listPrice(model: OpenAIModel): TokenPrices | undefined {
  if (!model.hosted || !model.servedModelName) return undefined;
  return LIST_PRICES[model.hosted]?.[model.servedModelName];
}
