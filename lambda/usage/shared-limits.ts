import { minuteOf } from '../dynamodb/table-layout.js';
import type { StoreHealth } from './store-health.js';
import type { MinuteLimits, UsageStore } from './usage-store.js';

/** Whether a request may go ahead under a scope's per-minute limits. */
export type LimitDecision = { allowed: true } | { allowed: false; limit: 'rpm' | 'tpm'; retryAfter: number };

/**
 * Requests and tokens per minute, counted across every container in the usage store: one counter per
 * scope per UTC minute (fixed windows). A scope is any name: `key#<id>` for API keys, and
 * `deployment#<id>` for the router's deployments.
 *
 *   const decision = await limits.take(`deployment#${id}`, { rpm: 60, tpm: 100_000 });
 *   if (!decision.allowed) ...try another deployment, or answer 429 with decision.retryAfter
 *   ...after the answer: limits.addTokens(`deployment#${id}`, promptTokens + completionTokens)
 *
 * `take` counts the request only when it is allowed (a conditional write: under both limits). Tokens
 * are known after the answer; the metering of an answer adds them for its key and, when a deployment
 * was taken with a tpm, for that deployment too (see `tracksTokens`). No count is kept in memory:
 * each check is that write, so an idle container's next request sees what every other one counted.
 * While the store cannot be reached, `take` follows the store's failure policy (allows, or throws 503).
 */
export interface SharedLimits {
  take(scope: string, limits: MinuteLimits): Promise<LimitDecision>;
  addTokens(scope: string, tokens: number): Promise<void>;
  /** Whether this process has taken the scope with a tpm limit (so its answers' tokens must be counted). */
  tracksTokens(scope: string): boolean;
}

export class StoreLimits implements SharedLimits {
  private readonly tokenScopes = new Set<string>();

  constructor(
    private readonly store: UsageStore,
    private readonly health: StoreHealth,
  ) {}

  async take(scope: string, limits: MinuteLimits): Promise<LimitDecision> {
    if (limits.rpm === undefined && limits.tpm === undefined) return { allowed: true };
    if (limits.tpm !== undefined) this.tokenScopes.add(scope);
    if (this.health.skipping) {
      this.health.unavailable(`${scope} limits`);
      return { allowed: true };
    }
    const now = Date.now();
    let allowed: boolean;
    try {
      allowed = await this.store.takeRequest(scope, minuteOf(now), limits);
      this.health.succeeded();
    } catch (error) {
      this.health.failed(error, `rate limit of ${scope}`);
      this.health.unavailable(`${scope} limits`);
      return { allowed: true };
    }
    if (allowed) return { allowed: true };
    // Which limit: a full minute of requests says rpm; otherwise the tokens are over.
    const retryAfter = Math.max(1, Math.ceil((60_000 - (now % 60_000)) / 1000));
    return { allowed: false, limit: limits.tpm !== undefined && limits.rpm === undefined ? 'tpm' : 'rpm', retryAfter };
  }

  async addTokens(scope: string, tokens: number): Promise<void> {
    if (tokens > 0) await this.store.addTokens(scope, minuteOf(Date.now()), tokens);
  }

  tracksTokens(scope: string): boolean {
    return this.tokenScopes.has(scope);
  }
}
