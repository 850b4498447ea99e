import type { ModelConfig } from '../config/config.js';

/** USD per token, as LiteLLM's price map and the config's `prices` write them. */
export type TokenPrices = NonNullable<ModelConfig['prices']>;

/** A deployment's prices: the config's own unless told how to look further (an upstream's list price). */
export type PricesOf = (model: ModelConfig) => TokenPrices | undefined;

/**
 * Per-token prices by deployment: the cost of an answer is the price of the deployment that served it
 * (a failed-over request costs what its last deployment charges). Prices come from the config, else,
 * for a hosted provider's model, from its list price (`pricesOf`). Deployments without either
 * (SageMaker endpoints and other servers have no list price) cost nothing here: their tokens are
 * counted, their cost is unknown.
 */
export class PriceBook {
  private readonly prices = new Map<string, TokenPrices>();

  constructor(models: readonly ModelConfig[], pricesOf: PricesOf = (model) => model.prices) {
    // By deployment id; by name too, for answers that name their model (a single deployment's id is its name).
    for (const m of models) {
      const prices = pricesOf(m);
      if (prices) this.prices.set(m.id, prices);
    }
    for (const m of models) {
      const prices = pricesOf(m);
      if (prices && !this.prices.has(m.name)) this.prices.set(m.name, prices);
    }
  }

  /** USD, or undefined when the deployment has no prices. */
  cost(servedBy: string, promptTokens: number, completionTokens: number): number | undefined {
    const p = this.prices.get(servedBy);
    if (!p) return undefined;
    // Rounded to a billionth of a cent: float noise must not pile up in the counters.
    return Math.round((promptTokens * p.inputPerToken + completionTokens * p.outputPerToken) * 1e11) / 1e11;
  }

  get any(): boolean {
    return this.prices.size > 0;
  }
}
