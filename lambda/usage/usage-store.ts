import type { HourCounters, UsageApi, UsageRow } from '../dynamodb/table-layout.js';

/** One answered request's counters, for one key, model and deployment on one day. */
export interface UsageIncrement {
  day: string;
  /** The UTC hour (`00`-`23`): counted in the same row, by the same write. */
  hour?: string;
  keyId: string;
  model: string;
  servedBy: string;
  promptTokens: number;
  completionTokens: number;
  /** USD; undefined when the deployment has no prices. */
  cost: number | undefined;
  estimated: boolean;
  /** The API the request came through (absent: a caller that does not say, such as a test's own write). */
  api?: UsageApi;
}

/** The limits a scope is held to within one minute. */
export interface MinuteLimits {
  rpm?: number;
  tpm?: number;
}

/**
 * Where usage lives: in memory (one process) or in DynamoDB (every container). Writes are atomic
 * increments; nothing is read and written back.
 */
export interface UsageStore {
  /** True when every process sees the same counters (DynamoDB); false for one process's memory. */
  readonly shared: boolean;
  /** Human-readable: `memory`, or the table's name. */
  readonly description: string;
  /** Adds one answered request to its row. */
  add(increment: UsageIncrement): Promise<void>;
  /** Cost on `day`: of one key, or of the whole gateway. */
  spend(day: string, keyId?: string): Promise<number>;
  /** Counts one request in the scope's minute, unless the minute is already at its rpm or tpm. */
  takeRequest(scope: string, minute: string, limits: MinuteLimits): Promise<boolean>;
  /** Adds tokens to the scope's minute (for tpm). */
  addTokens(scope: string, minute: string, tokens: number): Promise<void>;
  /** The usage rows of a day (of one key when given). */
  rows(day: string, keyId?: string): Promise<UsageRow[]>;
}

const ZERO = { requests: 0, prompt_tokens: 0, completion_tokens: 0, cost: 0, estimated_requests: 0, unpriced_requests: 0 };

/** Usage kept in this process: the local server without a table, and unit tests. */
export class MemoryUsageStore implements UsageStore {
  readonly shared = false;
  readonly description = 'memory';
  private readonly usage = new Map<string, UsageRow>();
  private readonly minutes = new Map<string, { requests: number; tokens: number }>();

  async add(i: UsageIncrement): Promise<void> {
    const id = `${i.day}#${i.keyId}#${i.model}#${i.servedBy}`;
    let row = this.usage.get(id);
    if (!row) {
      row = { day: i.day, key: i.keyId, model: i.model, served_by: i.servedBy, ...ZERO, by_api: {} };
      this.usage.set(id, row);
    }
    row.requests++;
    row.prompt_tokens += i.promptTokens;
    row.completion_tokens += i.completionTokens;
    row.cost += i.cost ?? 0;
    if (i.estimated) row.estimated_requests++;
    if (i.cost === undefined) row.unpriced_requests++;
    if (i.hour !== undefined) {
      row.hours ??= {};
      const hour: HourCounters = row.hours[i.hour] ?? { requests: 0, prompt_tokens: 0, completion_tokens: 0, cost: 0 };
      row.hours[i.hour] = hour;
      hour.requests++;
      hour.prompt_tokens += i.promptTokens;
      hour.completion_tokens += i.completionTokens;
      hour.cost += i.cost ?? 0;
    }
    if (i.api) row.by_api[i.api] = (row.by_api[i.api] ?? 0) + 1;
  }

  async spend(day: string, keyId?: string): Promise<number> {
    return (await this.rows(day, keyId)).reduce((sum, row) => sum + row.cost, 0);
  }

  async takeRequest(scope: string, minute: string, limits: MinuteLimits): Promise<boolean> {
    const counts = this.minute(scope, minute);
    if ((limits.rpm !== undefined && counts.requests >= limits.rpm) || (limits.tpm !== undefined && counts.tokens >= limits.tpm)) return false;
    counts.requests++;
    return true;
  }

  async addTokens(scope: string, minute: string, tokens: number): Promise<void> {
    this.minute(scope, minute).tokens += tokens;
  }

  async rows(day: string, keyId?: string): Promise<UsageRow[]> {
    return [...this.usage.values()].filter((row) => row.day === day && (keyId === undefined || row.key === keyId));
  }

  private minute(scope: string, minute: string) {
    const id = `${scope}#${minute}`;
    let counts = this.minutes.get(id);
    if (!counts) {
      // Only the current minute matters: forget older ones as minutes go by.
      for (const old of this.minutes.keys()) if (!old.endsWith(minute)) this.minutes.delete(old);
      counts = { requests: 0, tokens: 0 };
      this.minutes.set(id, counts);
    }
    return counts;
  }
}
