import type { KeyDocument } from '../../lambda/auth/key-document.js';
import { DAY_MS, dayOf, daysBetween, USAGE_COUNTERS, type UsageApi, type UsageRow } from '../../lambda/dynamodb/table-layout.js';
import { type BudgetSpec, type BudgetStanding, budgetPeriod, budgetStanding } from '../../lambda/usage/budget-period.js';
import type { UsageStore } from '../../lambda/usage/usage-store.js';
import { UsageError } from '../keys/durations.js';

/** One line of the report: a key's use of a model over the days asked for. */
export interface ReportRow {
  key: string;
  key_name?: string;
  model: string;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** USD; null when none of the requests had prices. */
  cost_usd: number | null;
  estimated_requests: number;
  unpriced_requests: number;
  /** Of `requests`, how many came through each API (chat_completions, completions, responses, messages, embeddings). */
  requests_by_api: Partial<Record<UsageApi, number>>;
}

export interface BudgetLine extends BudgetStanding {
  scope: 'key' | 'gateway';
  key?: string;
  key_name?: string;
}

export interface UsageReport {
  table: string;
  since: string;
  until: string;
  rows: ReportRow[];
  totals: Omit<ReportRow, 'key' | 'key_name' | 'model' | 'requests_by_api'>;
  budgets: BudgetLine[];
  notes: string[];
}

/** `7d` (the last seven days, today included) or a date: the first day of the report. */
export function firstDay(since: string, now = Date.now()): string {
  const days = /^(\d+)d$/.exec(since.trim());
  if (days && Number(days[1]) >= 1 && Number(days[1]) <= 3650) return dayOf(now - (Number(days[1]) - 1) * DAY_MS);
  if (/^\d{4}-\d{2}-\d{2}$/.test(since) && !Number.isNaN(Date.parse(since))) return since;
  throw new UsageError(`--since: '${since}' is not a number of days such as 7d, or a date such as 2026-01-31`);
}

export async function usageReport(
  store: UsageStore & { table?: string },
  options: { since: string; key?: string; model?: string; keys?: KeyDocument; gatewayBudget?: BudgetSpec },
  now = Date.now(),
): Promise<UsageReport> {
  const since = firstDay(options.since, now);
  const until = dayOf(now);
  const days = daysBetween(since, until);
  const rows = (await inBatches(days, (day) => store.rows(day, options.key))).flat().filter((r) => !options.model || r.model === options.model);
  const names = new Map((options.keys?.keys ?? []).map((k) => [k.id, k.name]));

  const byKeyModel = new Map<string, UsageRow>();
  for (const row of rows) {
    const id = `${row.key}\u0000${row.model}`;
    const sum = byKeyModel.get(id) ?? {
      ...row,
      requests: 0,
      prompt_tokens: 0,
      completion_tokens: 0,
      cost: 0,
      estimated_requests: 0,
      unpriced_requests: 0,
      by_api: {},
    };
    for (const counter of USAGE_COUNTERS) sum[counter] += row[counter];
    for (const [api, count] of Object.entries(row.by_api) as [UsageApi, number][]) sum.by_api[api] = (sum.by_api[api] ?? 0) + count;
    byKeyModel.set(id, sum);
  }
  const lines = [...byKeyModel.values()]
    .sort((a, b) => a.key.localeCompare(b.key) || a.model.localeCompare(b.model))
    .map((r) => reportRow(r, names.get(r.key)));
  const totals = lines.reduce(
    (t, r) => ({
      requests: t.requests + r.requests,
      prompt_tokens: t.prompt_tokens + r.prompt_tokens,
      completion_tokens: t.completion_tokens + r.completion_tokens,
      total_tokens: t.total_tokens + r.total_tokens,
      cost_usd: r.cost_usd === null ? t.cost_usd : round((t.cost_usd ?? 0) + r.cost_usd),
      estimated_requests: t.estimated_requests + r.estimated_requests,
      unpriced_requests: t.unpriced_requests + r.unpriced_requests,
    }),
    {
      requests: 0,
      prompt_tokens: 0,
      completion_tokens: 0,
      total_tokens: 0,
      cost_usd: null as number | null,
      estimated_requests: 0,
      unpriced_requests: 0,
    },
  );

  const budgets: BudgetLine[] = [];
  for (const k of options.keys?.keys ?? []) {
    if (!k.budget || (options.key && k.id !== options.key)) continue;
    const spec = {
      maxBudget: k.budget,
      ...(k.budget_duration && { duration: k.budget_duration }),
      ...(k.budget_start && { anchor: k.budget_start }),
    };
    budgets.push({ scope: 'key', key: k.id, key_name: k.name, ...(await budgetLine(store, spec, k.id, now)) });
  }
  if (options.gatewayBudget) budgets.push({ scope: 'gateway', ...(await budgetLine(store, options.gatewayBudget, undefined, now)) });

  const notes: string[] = [];
  const unpriced = [...new Set(lines.filter((r) => r.unpriced_requests > 0).map((r) => r.model))];
  if (unpriced.length)
    notes.push(`no prices for ${unpriced.join(', ')}: tokens are counted, cost is not (set prices, or LiteLLM's model_info.input_cost_per_token)`);
  if (totals.estimated_requests)
    notes.push(`${totals.estimated_requests} request(s) counted with estimated tokens (their containers report no usage)`);
  return { table: store.table ?? store.description, since, until, rows: lines, totals, budgets, notes };
}

function reportRow(r: UsageRow, name: string | undefined): ReportRow {
  return {
    key: r.key,
    ...(name && { key_name: name }),
    model: r.model,
    requests: r.requests,
    prompt_tokens: r.prompt_tokens,
    completion_tokens: r.completion_tokens,
    total_tokens: r.prompt_tokens + r.completion_tokens,
    cost_usd: r.unpriced_requests >= r.requests ? null : round(r.cost),
    estimated_requests: r.estimated_requests,
    unpriced_requests: r.unpriced_requests,
    requests_by_api: r.by_api,
  };
}

async function budgetLine(store: UsageStore, spec: BudgetSpec, keyId: string | undefined, now: number) {
  const start = budgetPeriod(spec, now).start;
  const spent = (await inBatches(daysBetween(start, dayOf(now)), (day) => store.spend(day, keyId))).reduce((a, b) => a + b, 0);
  return budgetStanding(spec, spent, now);
}

/** The report as a table for people. */
export function formatReport(report: UsageReport): string[] {
  const left = new Map(report.budgets.filter((b) => b.key).map((b) => [b.key!, b]));
  const header = ['KEY', 'NAME', 'MODEL', 'REQUESTS', 'PROMPT TOKENS', 'COMPLETION TOKENS', 'COST (USD)', 'BUDGET LEFT', 'APIS'];
  const money = (v: number | null) => (v === null ? '-' : v.toFixed(6).replace(/0{1,4}$/, ''));
  const budget = (b?: BudgetLine) => (b ? `$${b.left_usd.toFixed(2)} of $${b.max_budget_usd} (resets ${b.resets_at.slice(0, 10)})` : '-');
  const body = report.rows.map((r) => [
    r.key,
    r.key_name ?? '-',
    r.model,
    String(r.requests),
    `${r.prompt_tokens}${r.estimated_requests ? '*' : ''}`,
    `${r.completion_tokens}${r.estimated_requests ? '*' : ''}`,
    money(r.cost_usd),
    budget(left.get(r.key)),
    apis(r.requests_by_api),
  ]);
  const t = report.totals;
  body.push(['total', '', '', String(t.requests), String(t.prompt_tokens), String(t.completion_tokens), money(t.cost_usd), '', '']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [`usage from ${report.since} to ${report.until} (UTC days), table ${report.table}`, line(header), ...body.map(line)];
  for (const b of report.budgets.filter((b) => b.scope === 'gateway'))
    out.push(
      `gateway budget: $${b.left_usd.toFixed(2)} left of $${b.max_budget_usd} per ${b.budget_duration} (spent $${b.spent_usd.toFixed(2)}; resets ${b.resets_at})`,
    );
  if (report.rows.some((r) => r.estimated_requests)) out.push('* includes estimated token counts');
  for (const note of report.notes) out.push(`note: ${note}`);
  return out;
}

/** `chat_completions 3, messages 2`, or `-` for rows written before requests were counted per API. */
const apis = (byApi: ReportRow['requests_by_api']) =>
  Object.entries(byApi)
    .map(([api, count]) => `${api} ${count}`)
    .join(', ') || '-';

const round = (v: number) => Math.round(v * 1e10) / 1e10;

/** Day queries, eight at a time. */
async function inBatches<T>(days: string[], read: (day: string) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < days.length; i += 8) out.push(...(await Promise.all(days.slice(i, i + 8).map(read))));
  return out;
}
