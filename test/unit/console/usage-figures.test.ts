import { busiest, lastUsed, usageCsv, usageSeries } from '../../../lambda/console/usage-figures.js';
import { dayOf, hourOf } from '../../../lambda/dynamodb/table-layout.js';
import { MemoryUsageStore } from '../../../lambda/usage/usage-store.js';

const NOW = Date.parse('2026-03-10T14:30:00Z');
const HOUR = 3_600_000;

async function rowsOf(entries: { at: number; key: string; model: string; prompt: number; completion: number; cost?: number }[]) {
  const store = new MemoryUsageStore();
  for (const e of entries)
    await store.add({
      day: dayOf(e.at),
      hour: hourOf(e.at),
      keyId: e.key,
      model: e.model,
      servedBy: e.model,
      promptTokens: e.prompt,
      completionTokens: e.completion,
      cost: e.cost,
      estimated: false,
    });
  const days = [...new Set(entries.map((e) => dayOf(e.at)))];
  return (await Promise.all(days.map((d) => store.rows(d)))).flat();
}

describe('usage figures for the console', () => {
  it('counts each UTC hour within the day row, and charts the last 48 hours from them', async () => {
    const rows = await rowsOf([
      { at: NOW, key: 'k1', model: 'a', prompt: 10, completion: 5, cost: 0.5 },
      { at: NOW - HOUR, key: 'k1', model: 'a', prompt: 1, completion: 1, cost: 0.25 },
      { at: NOW - 20 * HOUR, key: 'k2', model: 'b', prompt: 2, completion: 2 },
      { at: NOW - 60 * HOUR, key: 'k2', model: 'b', prompt: 100, completion: 100 },
    ]);
    const today = rows.find((r) => r.day === '2026-03-10' && r.model === 'a')!;
    expect(today.requests).toBe(2);
    expect(today.hours).toEqual({
      '13': { requests: 1, prompt_tokens: 1, completion_tokens: 1, cost: 0.25 },
      '14': { requests: 1, prompt_tokens: 10, completion_tokens: 5, cost: 0.5 },
    });
    const hours = usageSeries(rows, '48h', 'model', {}, NOW);
    expect(hours.buckets).toHaveLength(48);
    expect(hours.buckets.at(-1)).toBe('2026-03-10T14');
    // The request 60 hours ago is outside the window; the others are in their hours.
    expect(hours.totals).toMatchObject({ requests: 3, prompt_tokens: 13, completion_tokens: 8, cost: 0.75 });
    expect(hours.series.map((s) => s.name)).toEqual(['a', 'b']);
    expect(hours.series[0]!.figures.at(-1)).toEqual({ requests: 1, prompt_tokens: 10, completion_tokens: 5, cost: 0.5 });
    const days = usageSeries(rows, '30d', 'key', { model: 'b' }, NOW);
    expect(days.totals.requests).toBe(2);
    expect(days.series.map((s) => s.name)).toEqual(['k2']);
  });

  it('ranks the busiest, knows when a key was last used, and writes CSV a spreadsheet cannot run', async () => {
    const rows = await rowsOf([
      { at: NOW - 3 * HOUR, key: 'k1', model: '=HYPERLINK("x")', prompt: 1, completion: 1, cost: 2 },
      { at: NOW, key: 'k2', model: 'b', prompt: 1, completion: 1, cost: 1 },
    ]);
    expect(busiest(rows, 'model').map((m) => m.name)).toEqual(['=HYPERLINK("x")', 'b']);
    expect(lastUsed(rows, 'k1')).toBe('2026-03-10T11');
    expect(lastUsed(rows, 'nobody')).toBeUndefined();
    const csv = usageCsv(usageSeries(rows, '30d', 'model', {}, NOW));
    expect(csv).toContain(`2026-03-10,"'=HYPERLINK(""x"")",1,1,1,2`);
  });
});
