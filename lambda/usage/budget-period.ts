import { DAY_MS, dayOf, dayStart } from '../dynamodb/table-layout.js';

/**
 * Budget periods in LiteLLM's vocabulary (docs/wire-facts.md §10): `budget_duration` as `30d`, `1mo`,
 * `7d`, `24h`, `daily`, `weekly`, `monthly`, with LiteLLM's calendar-aligned resets: `1d` at
 * midnight, `7d` on Mondays, `30d` and `1mo` on the 1st of the month (all UTC). Other whole-day
 * lengths run from an anchor day (a key's `budget_start`). Spend is counted per UTC day, so periods
 * shorter than a day (`1h`, `30m`) are refused rather than rounded.
 */
export type BudgetPeriodKind = { kind: 'month' } | { kind: 'days'; days: number; align: 'day' | 'week' | 'anchor' };

/** A budget: USD per period. */
export interface BudgetSpec {
  maxBudget: number;
  /** LiteLLM's budget_duration; a calendar month when absent. */
  duration?: string;
  /** First day (YYYY-MM-DD) of the first period, for durations that are not calendar-aligned. */
  anchor?: string;
}

export const DEFAULT_BUDGET_DURATION = '1mo';

const WORDS: Record<string, string> = { daily: '1d', weekly: '7d', monthly: '1mo' };

/** The period a duration names, or a message saying why it is not one. */
export function parseBudgetDuration(text: string): BudgetPeriodKind | string {
  const raw = text.trim().toLowerCase();
  const value = WORDS[raw] ?? raw;
  const match = /^(\d+)\s*(mo|[smhdw])$/.exec(value);
  if (!match) return `'${text}' is not a duration such as 30d, 7d, 1mo, daily, weekly or monthly`;
  const n = Number(match[1]);
  const unit = match[2]!;
  if (n === 0) return `'${text}' is zero: a budget period must be at least a day`;
  if (unit === 'mo') return n === 1 ? { kind: 'month' } : `'${text}': only 1mo is supported for months (LiteLLM resets monthly budgets on the 1st)`;
  const days = unit === 'd' ? n : unit === 'w' ? n * 7 : unit === 'h' && n % 24 === 0 ? n / 24 : undefined;
  if (days === undefined) return `'${text}': spend is counted per UTC day, so a budget period is whole days (Nd, Nw, 1mo, or 24h multiples)`;
  // LiteLLM treats 30d as a calendar month for its resets, 7d as a week from Monday, 1d as a day from midnight.
  if (days === 30) return { kind: 'month' };
  return { kind: 'days', days, align: days === 1 ? 'day' : days === 7 ? 'week' : 'anchor' };
}

/** The current period of a budget: its first day and the moment it resets (UTC). */
export function budgetPeriod(spec: BudgetSpec, now = Date.now()): { start: string; resetsAt: number } {
  const kind = parseBudgetDuration(spec.duration ?? DEFAULT_BUDGET_DURATION);
  if (typeof kind === 'string') throw new Error(kind); // validated when the config or key was written
  const today = new Date(now);
  if (kind.kind === 'month') {
    const start = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1);
    return { start: dayOf(start), resetsAt: Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 1, 1) };
  }
  const todayStart = dayStart(dayOf(now));
  // 1970-01-01 was a Thursday: Monday-aligned weeks start 4 days later; other lengths count from their anchor.
  const origin = kind.align === 'week' ? dayStart('1970-01-05') : kind.align === 'anchor' && spec.anchor ? dayStart(spec.anchor) : 0;
  const length = kind.days * DAY_MS;
  const start = origin + Math.floor((todayStart - origin) / length) * length;
  return { start: dayOf(start), resetsAt: start + length };
}

/** A budget as reports show it (the CLI's and the console's): its period, what it has spent and what is left, in USD. */
export interface BudgetStanding {
  max_budget_usd: number;
  budget_duration: string;
  period_start: string;
  resets_at: string;
  spent_usd: number;
  left_usd: number;
}

export function budgetStanding(spec: BudgetSpec, spent: number, now = Date.now()): BudgetStanding {
  const period = budgetPeriod(spec, now);
  const round = (v: number) => Math.round(v * 1e10) / 1e10;
  return {
    max_budget_usd: spec.maxBudget,
    budget_duration: spec.duration ?? DEFAULT_BUDGET_DURATION,
    period_start: period.start,
    resets_at: new Date(period.resetsAt).toISOString(),
    spent_usd: round(spent),
    left_usd: round(Math.max(0, spec.maxBudget - spent)),
  };
}
