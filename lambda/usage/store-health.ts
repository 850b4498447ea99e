import { GatewayError } from '../core/gateway-error.js';
import { log } from '../core/log.js';
import { failureMetric } from './usage-metrics.js';

/** After a failure, checks skip the store this long before trying it again (no request waits on a dead store). */
const PROBE_AFTER_MS = 2000;

export interface UnavailablePolicy {
  /** `fail_open`: limits and budgets are not enforced while the store is down, for at most `failOpenMs`. */
  whenUnavailable: 'fail_open' | 'fail_closed';
  failOpenMs: number;
}

/**
 * Whether the usage store answers, and what a limit or budget check does when it does not
 * (the README's policy): fail open for a bounded time (default 15 minutes), then fail closed with 503;
 * or fail closed at once. Keys are not this module's business: they always fail closed.
 */
export class StoreHealth {
  private failingSince: number | undefined;
  private skipUntil = 0;

  constructor(private readonly policy: UnavailablePolicy) {}

  /** True while a recent failure says not to wait for the store now. */
  get skipping(): boolean {
    return Date.now() < this.skipUntil;
  }

  succeeded(): void {
    if (this.failingSince !== undefined) log.info('usage store reachable again', { downMs: Date.now() - this.failingSince });
    this.failingSince = undefined;
    this.skipUntil = 0;
  }

  failed(error: unknown, during: string): void {
    const now = Date.now();
    this.failingSince ??= now;
    this.skipUntil = now + PROBE_AFTER_MS;
    const e = error as { name?: string; message?: string; code?: string };
    log.error('usage store unavailable', {
      during,
      error: e.name,
      code: e.code,
      detail: e.message?.slice(0, 200),
      ...failureMetric('UsageStoreErrors'),
    });
  }

  /**
   * A check the store could not answer: returns (the request goes ahead, unchecked) while failing
   * open is allowed, else throws 503.
   */
  unavailable(what: string): void {
    const since = this.failingSince ?? Date.now();
    if (this.policy.whenUnavailable === 'fail_open' && Date.now() - since < this.policy.failOpenMs) return;
    throw new GatewayError(503, `Usage limits cannot be checked right now (${what}); retry shortly.`, {
      code: 'usage_store_unavailable',
      retryAfter: 5,
    });
  }
}
