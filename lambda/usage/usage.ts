import type { GatewayConfig } from '../config/config.js';
import { GatewayError } from '../core/gateway-error.js';
import { log } from '../core/log.js';
import { dayOf, hourOf, type UsageApi } from '../dynamodb/table-layout.js';
import { BudgetGuard, type BudgetHold, type BudgetScope } from './budget-guard.js';
import type { BudgetSpec } from './budget-period.js';
import { DynamoUsageStore } from './dynamodb-store.js';
import { PriceBook, type PricesOf } from './price-book.js';
import { RateLimiter } from './rate-limiter.js';
import { type SharedLimits, StoreLimits } from './shared-limits.js';
import { StoreHealth } from './store-health.js';
import { failureMetric, usageMetrics } from './usage-metrics.js';
import { MemoryUsageStore, type UsageStore } from './usage-store.js';

/** One answered request, as the HTTP layer (chat, embeddings, responses) reports it. */
export interface AnsweredRequest {
  /** The client-facing model name. */
  model: string;
  /** The deployment that answered (its prices set the cost). */
  servedBy: string;
  usage: { prompt_tokens: number; completion_tokens?: number };
  /** True when any token count is the gateway's estimate. */
  estimated: boolean;
  /** USD, when the caller knows better than the price book; otherwise computed from `servedBy`'s prices. */
  cost?: number;
  /** The API the request came through, counted on its usage row. */
  api?: UsageApi;
}

/** A metered request: the key it ran under, and the request id for the log line. */
export interface MeterEntry extends AnsweredRequest {
  keyId: string;
  requestId?: string;
}

/** Who is calling, as far as usage is concerned. */
export interface UsageCaller {
  keyId: string;
  rpm?: number;
  tpm?: number;
  budget?: BudgetSpec;
}

/** A request admitted under its budgets and limits. */
export interface Admission {
  /**
   * Meters the answer: its cost counts in this process's budgets at once; the write to the store is
   * started after the current turn of the event loop (so after the answer has been handed to the
   * client) and the returned promise, which never rejects, settles when it has landed or failed.
   * Give it to the invocation's `waitUntil`.
   */
  record(answer: AnsweredRequest): Promise<void>;
  /**
   * Admitted near one of its budgets' limits: `record` then writes at once, and the HTTP layer holds
   * the answer's end until the write has landed, so the caller's next request, whichever container it
   * reaches, already sees this cost. (Elsewhere the write waits for the answer to be out.)
   */
  readonly urgent: boolean;
  /** No answer (the request failed): frees the request's place in its budgets. Idempotent; no-op after `record`. */
  release(): void;
}

/** Usage, budgets and shared limits of one gateway, once per process. */
export interface Usage {
  readonly store: UsageStore;
  readonly limits: SharedLimits;
  readonly budget: BudgetSpec | undefined;
  /** Budgets and per-key limits before the request runs: throws 429 (or 503, per the failure policy). */
  admit(caller: UsageCaller, requestId?: string): Promise<Admission>;
  /** Meters an answered request outside an admission (see `Admission.record`). */
  record(entry: MeterEntry): Promise<void>;
  /** Reads the gateway budget's spend ahead of the first request. */
  warm(): void;
}

const GATEWAY = 'gateway';

/** `pricesOf` tells what a deployment's tokens cost (the config's prices, else an upstream's list price). */
export function createUsage(config: Pick<GatewayConfig, 'usage' | 'models'>, store?: UsageStore, pricesOf?: PricesOf): Usage {
  const settings = config.usage;
  const usageStore = store ?? (settings.table ? new DynamoUsageStore(settings.table, settings.retentionDays) : new MemoryUsageStore());
  const health = new StoreHealth({
    whenUnavailable: settings.whenUnavailable ?? 'fail_open',
    failOpenMs: (settings.failOpenSeconds ?? 900) * 1000,
  });
  const limits = new StoreLimits(usageStore, health);
  const budgets = new BudgetGuard(usageStore, health, { refreshMs: (settings.budgetRefreshSeconds ?? 5) * 1000 });
  const prices = new PriceBook(config.models, pricesOf);
  const localRpm = new RateLimiter();
  const gatewayBudget = settings.budget;

  async function write(
    entry: MeterEntry,
    cost: number | undefined,
    tpm: boolean,
    holds: { written(): void; failed(): void }[],
    urgent: boolean,
  ): Promise<void> {
    // After the current turn: the answer's bytes are handed to the socket before any SDK work starts.
    if (!urgent) await new Promise((resolve) => setImmediate(resolve));
    const prompt = entry.usage.prompt_tokens;
    const completion = entry.usage.completion_tokens ?? 0;
    const now = Date.now();
    try {
      await usageStore.add({
        day: dayOf(now),
        hour: hourOf(now),
        keyId: entry.keyId,
        model: entry.model,
        servedBy: entry.servedBy,
        promptTokens: prompt,
        completionTokens: completion,
        cost,
        estimated: entry.estimated,
        ...(entry.api && { api: entry.api }),
      });
      for (const h of holds) h.written();
      const scopes = [
        ...(tpm ? [`key#${entry.keyId}`] : []),
        ...(limits.tracksTokens(`deployment#${entry.servedBy}`) ? [`deployment#${entry.servedBy}`] : []),
      ];
      await Promise.all(scopes.map((scope) => limits.addTokens(scope, prompt + completion)));
      health.succeeded();
      log.info('usage', {
        requestId: entry.requestId,
        key: entry.keyId,
        model: entry.model,
        servedBy: entry.servedBy,
        promptTokens: prompt,
        completionTokens: completion,
        estimated: entry.estimated,
        cost: cost ?? null,
        ...usageMetrics(entry.keyId, entry.model, prompt, completion, cost ?? 0),
      });
    } catch (error) {
      // The client has its answer; a metering failure is logged (with what was not counted) and counted.
      const e = error as { name?: string; message?: string; code?: string };
      log.error('metering failed', {
        requestId: entry.requestId,
        key: entry.keyId,
        model: entry.model,
        servedBy: entry.servedBy,
        promptTokens: prompt,
        completionTokens: completion,
        cost: cost ?? null,
        error: e.name,
        code: e.code,
        detail: e.message?.slice(0, 200),
        ...failureMetric('MeteringFailures'),
      });
      for (const h of holds) h.failed();
      if (!(error instanceof GatewayError)) health.failed(error, 'metering');
    }
  }

  function meter(entry: MeterEntry, tpm: boolean, holds: BudgetHold[], urgent = false): Promise<void> {
    const cost = entry.cost ?? prices.cost(entry.servedBy, entry.usage.prompt_tokens, entry.usage.completion_tokens ?? 0);
    // Counted in this process's budgets now, before the write: the next request already sees it.
    const written = holds.map((h) => h.settle(cost ?? 0));
    return write(entry, cost, tpm, written, urgent);
  }

  return {
    store: usageStore,
    limits,
    budget: gatewayBudget,
    async admit(caller, requestId) {
      const scopes: BudgetScope[] = [];
      if (gatewayBudget) scopes.push({ id: GATEWAY, spec: gatewayBudget });
      if (caller.budget) scopes.push({ id: caller.keyId, keyId: caller.keyId, spec: caller.budget });
      if (caller.rpm) {
        const wait = localRpm.take(caller.keyId, caller.rpm);
        if (wait) throw keyRateLimited(caller, wait);
      }
      const holds: BudgetHold[] = [];
      // Stale copies of both budgets are read at once, not one after the other.
      if (scopes.length > 1) for (const scope of scopes) budgets.refreshIfStale(scope);
      try {
        for (const scope of scopes) holds.push(await budgets.admit(scope));
        // rpm across containers needs the shared store; within one process the local count above holds it.
        const minute = { ...(usageStore.shared && caller.rpm && { rpm: caller.rpm }), ...(caller.tpm && { tpm: caller.tpm }) };
        const decision = await limits.take(`key#${caller.keyId}`, minute);
        if (!decision.allowed) throw keyRateLimited(caller, decision.retryAfter);
      } catch (error) {
        for (const h of holds) h.release();
        throw error;
      }
      let open = true;
      const urgent = holds.some((h) => h.near);
      return {
        urgent,
        record(answer) {
          if (!open) return Promise.resolve();
          open = false;
          return meter({ ...answer, keyId: caller.keyId, ...(requestId && { requestId }) }, Boolean(caller.tpm), holds, urgent);
        },
        release() {
          if (!open) return;
          open = false;
          for (const h of holds) h.release();
        },
      };
    },
    record: (entry) => meter(entry, false, []),
    warm() {
      if (gatewayBudget) budgets.prime({ id: GATEWAY, spec: gatewayBudget });
    },
  };
}

/** The one 429 of a key over its per-minute limits, naming them. */
function keyRateLimited(caller: UsageCaller, retryAfter: number): GatewayError {
  const what = [caller.rpm && `${caller.rpm} requests`, caller.tpm && `${caller.tpm} tokens`].filter(Boolean).join(' and ');
  return new GatewayError(429, `Rate limit reached for this API key: ${what} per minute.`, { code: 'rate_limit_exceeded', retryAfter });
}
