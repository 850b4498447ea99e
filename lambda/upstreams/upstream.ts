import type { ModelConfig } from '../config/config.js';
import type { Relay } from './relay.js';
import type { Transport } from './transport.js';

/** The transports of a deployment, for the kinds of request it answers. */
export interface UpstreamTransports {
  chat?: Transport;
  /** Raw prompts (legacy completions), where the upstream takes them. */
  completions?: Transport;
  embeddings?: Transport;
  /** Anthropic's Messages API spoken natively, where the upstream is Anthropic's (requests relayed, not translated). */
  messages?: Relay;
}

/** USD per token, as LiteLLM's price map and the config's `prices` write them. */
export type TokenPrices = NonNullable<ModelConfig['prices']>;

/**
 * One kind of upstream (SageMaker's invocations, SageMaker's OpenAI-compatible route, an
 * OpenAI-compatible server, a hosted provider): everything the gateway knows about reaching it.
 */
export interface Upstream<M extends ModelConfig = ModelConfig> {
  /** How the deployment's payloads travel. */
  transports(model: M): UpstreamTransports;
  /** Where its requests go, as an operator reads it (never a key), and the inference component it names. */
  describe(model: M): Record<string, string>;
  /** The `model` field an OpenAI-speaking container is sent: its served name, '' or none (the client's name never is). */
  modelField(model: M): string | undefined;
  /** Whether it takes `max_completion_tokens` (containers such as TGI and older vLLM know only `max_tokens`). */
  readonly takesMaxCompletionTokens?: boolean;
  /** The public list price of its tokens when the config gives none. */
  listPrice?(model: M): TokenPrices | undefined;
}
