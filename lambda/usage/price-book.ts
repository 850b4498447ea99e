import type { ModelConfig } from '../core/config.js';

/**
 * Per-token prices by deployment: the cost of an answer is the price of the deployment that served it
 * (a failed-over request costs what its last deployment charges). Deployments without prices (SageMaker
 * endpoints have no list price) cost nothing here: their tokens are counted, their cost is unknown.
 */
export class PriceBook {
  private readonly prices = new Map<string, { inputPerToken: number; outputPerToken: number }>();

  constructor(models: readonly ModelConfig[]) {
    // By deployment id; by name too, for answers that name their model (a single deployment's id is its name).
    for (const m of models) if (m.prices) this.prices.set(m.id, m.prices);
    for (const m of models) if (m.prices && !this.prices.has(m.name)) this.prices.set(m.name, m.prices);
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
