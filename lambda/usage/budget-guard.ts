import { GatewayError } from '../core/gateway-error.js';
import { DAY_MS, dayOf, dayStart, daysBetween } from '../dynamodb/table-layout.js';
import { type BudgetSpec, budgetPeriod } from './budget-period.js';
import type { StoreHealth } from './store-health.js';
import type { UsageStore } from './usage-store.js';

/** A budget to enforce: the whole gateway's, or one key's. */
export interface BudgetScope {
  /** `gateway`, or the key's id. */
  id: string;
  /** The key whose spend counts; undefined for the whole gateway. */
  keyId?: string;
  spec: BudgetSpec;
}

/** A request's place in a budget, from admission to its answer's cost. */
export interface BudgetHold {
  /** The answer's cost: counted at once in this process, and marked written once the store has it (or its write failed). */
  settle(cost: number): { written(): void; failed(): void };
  /** No answer (the request failed): frees its place. */
  release(): void;
  /** Admitted near the limit: its cost should reach the store before its answer reaches the client. */
  readonly near: boolean;
}

export interface BudgetOptions {
  /** How old this process's copy of a budget's spend may get: an older copy is read again before a request is admitted. */
  refreshMs: number;
  /** Below this share of the budget left, spend is read before each admission, however fresh the copy. */
  nearFraction?: number;
  /** How long a request near the limit waits for this process's running requests of the budget to settle. */
  waitMs?: number;
  /** The clock (milliseconds since the epoch); tests pass their own. */
  now?: () => number;
}

/**
 * A cost answered in this process. Until its write has landed (`writtenAt`) a read may or may not
 * include it, so it is counted here as well: never too little, sometimes twice for a moment.
 */
interface LedgerEntry {
  cost: number;
  writtenAt: number;
  /** Settles when the write has landed or failed. */
  landed: Promise<void>;
  land: () => void;
}

/** How long a refusal waits for this process's own writes whose cost may be counted twice. */
const UNSURE_WAIT_MS = 2000;

/** A day's total is final once this long after the day ended (late writes of its last requests have landed). */
const FINAL_AFTER_MS = 10 * 60_000;

interface Spend {
  periodStart: string;
  resetsAt: number;
  /** Spend read from the store, and when that read started. */
  base: number;
  readAt: number;
  loaded: boolean;
  refreshing?: { startedAt: number; done: Promise<void> };
  /** Costs answered in this process: counted here at once, dropped once a read that started after their write has them. */
  ledger: LedgerEntry[];
  finalDays: Map<string, number>;
  inflight: number;
  largest: number;
  waiters: (() => void)[];
}

/**
 * Budgets without a read on every request (README, "Usage, budgets and limits"). Each process keeps
 * each budget's spend for the current period: read from the store on first use, plus its own answers'
 * costs counted the moment they are known. A request is admitted on that copy while it is at most
 * `refreshMs` old; an older one (a container idle meanwhile, or a busy one whose window has passed) is
 * read again before the request is admitted, so what other processes spent since counts. A request is
 * refused (429 `insufficient_quota`) once the spend reaches the budget.
 *
 * Near the limit (less than `nearFraction` of the budget, or twice the largest single cost seen, left)
 * the spend is read before each admission, and a process lets a new request of that budget start only
 * while what is left could cover the ones it already runs (each assumed to cost as much as the largest
 * seen; before any is seen, as much as is left), so requests racing the last cent mostly wait and are
 * then refused. What can still overshoot: one request per process (per Lambda container) in flight
 * when the limit is crossed, requests that cost more than any seen before, and what other processes
 * spent within a copy's `refreshMs` while it was far from the limit.
 */
export class BudgetGuard {
  private readonly budgets = new Map<string, Spend>();
  private readonly nearFraction: number;
  private readonly waitMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: UsageStore,
    private readonly health: StoreHealth,
    private readonly options: BudgetOptions,
  ) {
    this.nearFraction = options.nearFraction ?? 0.1;
    this.waitMs = options.waitMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  async admit(scope: BudgetScope): Promise<BudgetHold> {
    const arrived = this.now();
    const spend = this.spendOf(scope, arrived);
    // The first time, any read will do (one started while the container initialised, say); later, one
    // that started at most `refreshMs` ago (one already running for another request counts). A fresh
    // copy costs no read; a failed read follows the store's policy (`health.unavailable`).
    if (!spend.loaded) await this.read(scope, spend, 0, true);
    else if (this.stale(spend, arrived)) await this.read(scope, spend, arrived - this.options.refreshMs, true);
    const deadline = arrived + this.waitMs;
    let confirmed = false;
    for (;;) {
      const max = scope.spec.maxBudget;
      let left = max - known(spend);
      const near = left < Math.max(this.nearFraction * max, 2 * spend.largest);
      if (near && spend.readAt < arrived) {
        await this.read(scope, spend, arrived, true);
        left = max - known(spend);
      }
      if (left <= 0) {
        // Own costs whose writes landed while the last read ran may be counted twice: before refusing,
        // let them land and read again, so that a refusal is never owed to double counting.
        const unsure = spend.ledger.filter((entry) => entry.writtenAt >= spend.readAt);
        if (!confirmed && unsure.length) {
          confirmed = true;
          await Promise.race([Promise.all(unsure.map((entry) => entry.landed)), new Promise((r) => setTimeout(r, UNSURE_WAIT_MS))]);
          await this.read(scope, spend, this.now(), true);
          continue;
        }
        throw budgetExceeded(scope, known(spend), spend.resetsAt);
      }
      if (near && spend.inflight > 0) {
        const assumed = spend.largest > 0 ? spend.largest : left;
        if (left - spend.inflight * assumed <= 0) {
          await this.nextSettled(spend, deadline, scope);
          continue;
        }
      }
      spend.inflight++;
      return hold(spend, near, this.now);
    }
  }

  /** Reads a budget's spend ahead of its first request (Lambda's init phase runs at full CPU). */
  prime(scope: BudgetScope): void {
    const now = this.now();
    void this.read(scope, this.spendOf(scope, now), now, false);
  }

  /**
   * Starts the read `admit` would wait for, without waiting: a request under several budgets (the
   * gateway's and its key's) then waits for their reads together, not one after the other.
   */
  refreshIfStale(scope: BudgetScope): void {
    const now = this.now();
    const spend = this.spendOf(scope, now);
    if (!spend.loaded) void this.read(scope, spend, 0, false);
    else if (this.stale(spend, now)) void this.read(scope, spend, now - this.options.refreshMs, false);
  }

  /** What the budget's period has spent as this process knows it (for reports and tests). */
  known(scope: BudgetScope): number {
    return known(this.spendOf(scope, this.now()));
  }

  /** Older than `refreshMs`: what other processes spent since it was read may be missing. */
  private stale(spend: Spend, now: number): boolean {
    return now - spend.readAt > this.options.refreshMs;
  }

  private spendOf(scope: BudgetScope, now: number): Spend {
    const period = budgetPeriod(scope.spec, now);
    const id = `${scope.id}|${scope.spec.duration ?? ''}|${scope.spec.anchor ?? ''}`;
    let spend = this.budgets.get(id);
    if (!spend || spend.periodStart !== period.start) {
      spend = {
        periodStart: period.start,
        resetsAt: period.resetsAt,
        base: 0,
        readAt: 0,
        loaded: false,
        ledger: [],
        finalDays: new Map(),
        inflight: 0,
        largest: spend?.largest ?? 0,
        waiters: [],
      };
      this.budgets.set(id, spend);
    }
    return spend;
  }

  /**
   * Reads the period's spend (one Query per day not yet final), shared by concurrent callers that
   * arrived before it started. `waiting`: a request waits for it, so a failure follows the store's
   * policy (go ahead, or 503).
   */
  private async read(scope: BudgetScope, spend: Spend, after: number, waiting: boolean): Promise<void> {
    if (this.health.skipping) {
      if (waiting) this.health.unavailable(`the budget of ${scope.id}`);
      return;
    }
    if (spend.refreshing && spend.refreshing.startedAt >= after) return this.await(spend.refreshing.done, scope, waiting);
    if (spend.refreshing) await spend.refreshing.done.catch(() => undefined);
    if (spend.loaded && spend.readAt >= after) return;
    const startedAt = this.now();
    const done = this.load(scope, spend, startedAt).then((base) => {
      spend.base = base;
      spend.readAt = startedAt;
      spend.loaded = true;
      spend.ledger = spend.ledger.filter((entry) => entry.writtenAt >= startedAt);
      this.health.succeeded();
    });
    spend.refreshing = { startedAt, done };
    done
      .catch((error) => this.health.failed(error, `budget of ${scope.id}`))
      .finally(() => {
        if (spend.refreshing?.done === done) spend.refreshing = undefined;
      });
    return this.await(done, scope, waiting);
  }

  private async await(done: Promise<void>, scope: BudgetScope, waiting: boolean): Promise<void> {
    try {
      await done;
    } catch {
      if (waiting) this.health.unavailable(`the budget of ${scope.id}`);
    }
  }

  private async load(scope: BudgetScope, spend: Spend, now: number): Promise<number> {
    const totals = await Promise.all(
      daysBetween(spend.periodStart, dayOf(now)).map(async (day) => {
        const final = spend.finalDays.get(day);
        if (final !== undefined) return final;
        const total = await this.store.spend(day, scope.keyId);
        if (now >= dayStart(day) + DAY_MS + FINAL_AFTER_MS) spend.finalDays.set(day, total);
        return total;
      }),
    );
    return totals.reduce((a, b) => a + b, 0);
  }

  private nextSettled(spend: Spend, deadline: number, scope: BudgetScope): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => {
          spend.waiters = spend.waiters.filter((w) => w !== done);
          reject(
            new GatewayError(429, `The budget of ${label(scope)} is nearly spent and its other requests are still running; retry shortly.`, {
              code: 'rate_limit_exceeded',
              retryAfter: 1,
            }),
          );
        },
        Math.max(0, deadline - this.now()),
      );
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      spend.waiters.push(done);
    });
  }
}

const known = (spend: Spend) => spend.base + spend.ledger.reduce((sum, entry) => sum + entry.cost, 0);

function hold(spend: Spend, near: boolean, now: () => number): BudgetHold {
  let open = true;
  const close = () => {
    if (!open) return false;
    open = false;
    spend.inflight--;
    for (const wake of spend.waiters.splice(0)) wake();
    return true;
  };
  return {
    settle(cost) {
      let land: () => void = () => undefined;
      const landed = new Promise<void>((resolve) => {
        land = resolve;
      });
      const entry: LedgerEntry = { cost, writtenAt: Number.POSITIVE_INFINITY, landed, land };
      if (close()) {
        spend.largest = Math.max(spend.largest, cost);
        if (cost > 0) spend.ledger.push(entry);
      }
      return {
        written() {
          entry.writtenAt = now();
          entry.land();
        },
        // Not in the store: it stays counted here (until the period ends), which errs on the safe side.
        failed: () => entry.land(),
      };
    },
    release: () => void close(),
    near,
  };
}

const label = (scope: BudgetScope) => (scope.keyId ? 'this API key' : 'this gateway');

function budgetExceeded(scope: BudgetScope, spent: number, resetsAt: number): GatewayError {
  return new GatewayError(
    429,
    `You exceeded your current quota: ${label(scope)} has spent $${spent.toFixed(2)} of its $${scope.spec.maxBudget} budget for the period that resets at ${new Date(resetsAt).toISOString()}.`,
    { type: 'insufficient_quota', code: 'insufficient_quota', headers: { 'x-should-retry': 'false' } },
  );
}
