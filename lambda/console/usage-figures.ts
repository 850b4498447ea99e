import { DAY_MS, dayOf, daysBetween, type UsageRow } from '../dynamodb/table-layout.js';
import { type BudgetSpec, budgetPeriod, budgetStanding } from '../usage/budget-period.js';
import type { UsageStore } from '../usage/usage-store.js';

/** What one bucket of a chart (a day, or an hour) adds up. */
export interface Figures {
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost: number;
}

export type Grouping = 'model' | 'key' | 'deployment' | 'none';
export type Range = '30d' | '48h';

export interface Filters {
  key?: string;
  model?: string;
  deployment?: string;
}

export interface UsageSeries {
  range: Range;
  group: Grouping;
  /** `YYYY-MM-DD` days, or `YYYY-MM-DDTHH` hours (UTC), oldest first. */
  buckets: string[];
  series: { name: string; figures: Figures[] }[];
  totals: Figures & { estimated_requests: number; unpriced_requests: number };
}

const zero = (): Figures => ({ requests: 0, prompt_tokens: 0, completion_tokens: 0, cost: 0 });
const add = (into: Figures, from: Figures) => {
  into.requests += from.requests;
  into.prompt_tokens += from.prompt_tokens;
  into.completion_tokens += from.completion_tokens;
  into.cost += from.cost;
};
const round = (v: number) => Math.round(v * 1e10) / 1e10;

/** The usage rows of the days from `first` to `last`, read eight days at a time (as `npx sagegate usage` reads them). */
export async function rowsBetween(store: UsageStore, first: string, last: string, keyId?: string): Promise<UsageRow[]> {
  const days = daysBetween(first, last);
  const rows: UsageRow[] = [];
  for (let i = 0; i < days.length; i += 8) rows.push(...(await Promise.all(days.slice(i, i + 8).map((day) => store.rows(day, keyId)))).flat());
  return rows;
}

/** The first day a range needs: 30 days with today, or the days the last 48 hours touch. */
export function firstDayOf(range: Range, now = Date.now()): string {
  return range === '30d' ? dayOf(now - 29 * DAY_MS) : dayOf(now - 47 * 3_600_000);
}

const groupOf = (row: UsageRow, group: Grouping) =>
  group === 'model' ? row.model : group === 'key' ? row.key : group === 'deployment' ? row.served_by : 'all';

function matches(row: UsageRow, filters: Filters): boolean {
  return (
    (!filters.key || row.key === filters.key) &&
    (!filters.model || row.model === filters.model) &&
    (!filters.deployment || row.served_by === filters.deployment)
  );
}

/** Charts' data: per group, the figures of each day of the last 30, or each hour of the last 48. */
export function usageSeries(rows: UsageRow[], range: Range, group: Grouping, filters: Filters, now = Date.now()): UsageSeries {
  const buckets: string[] = [];
  if (range === '30d') for (let i = 29; i >= 0; i--) buckets.push(dayOf(now - i * DAY_MS));
  else for (let i = 47; i >= 0; i--) buckets.push(new Date(now - i * 3_600_000).toISOString().slice(0, 13));
  const index = new Map(buckets.map((b, i) => [b, i]));
  const byGroup = new Map<string, Figures[]>();
  const totals = { ...zero(), estimated_requests: 0, unpriced_requests: 0 };
  for (const row of rows) {
    if (!matches(row, filters)) continue;
    const name = groupOf(row, group);
    let figures = byGroup.get(name);
    if (!figures) {
      figures = buckets.map(zero);
      byGroup.set(name, figures);
    }
    if (range === '30d') {
      const at = index.get(row.day);
      if (at === undefined) continue;
      add(figures[at]!, row);
      add(totals, row);
      totals.estimated_requests += row.estimated_requests;
      totals.unpriced_requests += row.unpriced_requests;
    } else {
      for (const [hour, counters] of Object.entries(row.hours ?? {})) {
        const at = index.get(`${row.day}T${hour}`);
        if (at === undefined) continue;
        add(figures[at]!, counters);
        add(totals, counters);
      }
    }
  }
  const series = [...byGroup]
    .map(([name, figures]) => ({ name, figures: figures.map((f) => ({ ...f, cost: round(f.cost) })) }))
    .filter((s) => s.figures.some((f) => f.requests > 0))
    .sort((a, b) => total(b.figures) - total(a.figures) || a.name.localeCompare(b.name));
  return { range, group, buckets, series, totals: { ...totals, cost: round(totals.cost) } };
}

const total = (figures: Figures[]) => figures.reduce((sum, f) => sum + f.cost * 1e6 + f.requests, 0);

/** The table behind a chart, as CSV: one line per bucket and group. */
export function usageCsv(series: UsageSeries): string {
  const lines = [`${series.range === '30d' ? 'day' : 'hour_utc'},${series.group},requests,prompt_tokens,completion_tokens,cost_usd`];
  for (const s of series.series) {
    s.figures.forEach((f, i) => {
      if (f.requests) lines.push([series.buckets[i], csvCell(s.name), f.requests, f.prompt_tokens, f.completion_tokens, f.cost].join(','));
    });
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** A CSV cell that a spreadsheet reads as text, never as a formula. */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Sums of rows by one of their fields (the busiest models, keys). */
export function busiest(rows: UsageRow[], field: 'model' | 'key', limit = 5): ({ name: string } & Figures)[] {
  const sums = new Map<string, Figures>();
  for (const row of rows) {
    const f = sums.get(row[field]) ?? zero();
    add(f, row);
    sums.set(row[field], f);
  }
  return [...sums]
    .map(([name, f]) => ({ name, ...f, cost: round(f.cost) }))
    .sort((a, b) => b.cost - a.cost || b.requests - a.requests || a.name.localeCompare(b.name))
    .slice(0, limit);
}

export function sum(rows: UsageRow[]): Figures {
  const f = zero();
  for (const row of rows) add(f, row);
  return { ...f, cost: round(f.cost) };
}

/** A budget's current period and what it has spent, from rows that cover the period. */
export function budgetStatus(spec: BudgetSpec, rows: UsageRow[], keyId: string | undefined, now = Date.now()) {
  const start = budgetPeriod(spec, now).start;
  const spent = rows.filter((r) => r.day >= start && (keyId === undefined || r.key === keyId)).reduce((s, r) => s + r.cost, 0);
  return budgetStanding(spec, spent, now);
}

/** The last hour (UTC, `YYYY-MM-DDTHH`) a key had requests in the rows, or its last day when its rows have no hours. */
export function lastUsed(rows: UsageRow[], keyId: string): string | undefined {
  let last: string | undefined;
  for (const row of rows) {
    if (row.key !== keyId || row.requests === 0) continue;
    const hours = Object.keys(row.hours ?? {}).sort();
    const at = hours.length ? `${row.day}T${hours.at(-1)}` : row.day;
    if (!last || at > last) last = at;
  }
  return last;
}
