import { useMemo, useState } from 'preact/hooks';
import { Chart } from '../chart.js';
import { type Metric, metricOf, type UsageSeries } from '../figures.js';
import { count, dollars, tokens } from '../format.js';
import { Alert, useApi } from '../use-api.js';

const METRICS: { id: Metric; label: string; format: (v: number) => string }[] = [
  { id: 'requests', label: 'Requests', format: count },
  { id: 'tokens', label: 'Tokens', format: count },
  { id: 'cost', label: 'Cost (USD)', format: (v) => dollars(v) },
];

/** Requests, tokens and cost over time, grouped and filtered; the table behind the chart; CSV. */
export function UsagePage() {
  const [range, setRange] = useState<'30d' | '48h'>('30d');
  const [group, setGroup] = useState('model');
  const [metric, setMetric] = useState<Metric>('cost');
  const [filters, setFilters] = useState({ key: '', model: '', deployment: '' });
  const query = useMemo(() => {
    const q = new URLSearchParams({ range, group });
    for (const [name, value] of Object.entries(filters)) if (value.trim()) q.set(name, value.trim());
    return q.toString();
  }, [range, group, filters]);
  const { data, error } = useApi<UsageSeries>(`/usage?${query}`);
  const chosen = METRICS.find((m) => m.id === metric)!;
  const series = useMemo(
    () => (data?.series ?? []).slice(0, 8).map((s) => ({ name: s.name, values: s.figures.map((f) => metricOf(f, metric)) })),
    [data, metric],
  );
  return (
    <section>
      <h1>Usage</h1>
      <form class="controls" onSubmit={(e) => e.preventDefault()}>
        <label>
          Period
          <select value={range} onChange={(e) => setRange((e.target as HTMLSelectElement).value as '30d' | '48h')}>
            <option value="30d">Last 30 days, by day</option>
            <option value="48h">Last 48 hours, by hour</option>
          </select>
        </label>
        <label>
          Group by
          <select value={group} onChange={(e) => setGroup((e.target as HTMLSelectElement).value)}>
            <option value="model">Model</option>
            <option value="key">Key</option>
            <option value="deployment">Deployment</option>
            <option value="none">Nothing (totals)</option>
          </select>
        </label>
        <label>
          Show
          <select value={metric} onChange={(e) => setMetric((e.target as HTMLSelectElement).value as Metric)}>
            {METRICS.map((m) => (
              <option key={m.id} value={m.id}>
                {m.label}
              </option>
            ))}
          </select>
        </label>
        {(['key', 'model', 'deployment'] as const).map((name) => (
          <label key={name}>
            {name === 'key' ? 'Key id' : name === 'model' ? 'Model' : 'Deployment'}
            <input
              type="search"
              value={filters[name]}
              placeholder="all"
              onChange={(e) => setFilters({ ...filters, [name]: (e.target as HTMLInputElement).value })}
            />
          </label>
        ))}
        <a class="button" href={`/ui/api/usage.csv?${query}`} download>
          Download CSV
        </a>
      </form>
      <Alert message={error} />
      {data && (
        <>
          <p class="totals">
            <strong>{count(data.totals.requests)}</strong> requests, <strong>{count(tokens(data.totals))}</strong> tokens,{' '}
            <strong>{dollars(data.totals.cost)}</strong>
            {data.totals.unpriced_requests > 0 && <span class="muted"> ({count(data.totals.unpriced_requests)} requests without prices)</span>}
          </p>
          <Chart title={`${chosen.label} by ${group === 'none' ? 'period' : group}`} buckets={data.buckets} series={series} format={chosen.format} />
          <UsageTable data={data} />
        </>
      )}
    </section>
  );
}

function UsageTable({ data }: { data: UsageSeries }) {
  const rows = data.series.flatMap((s) => s.figures.map((f, i) => ({ bucket: data.buckets[i]!, name: s.name, ...f })).filter((r) => r.requests > 0));
  rows.sort((a, b) => b.bucket.localeCompare(a.bucket) || a.name.localeCompare(b.name));
  return (
    <div class="scroll">
      <table>
        <caption>The figures behind the chart</caption>
        <thead>
          <tr>
            <th scope="col">{data.range === '30d' ? 'Day (UTC)' : 'Hour (UTC)'}</th>
            <th scope="col">{data.group === 'none' ? 'All' : data.group}</th>
            <th scope="col">Requests</th>
            <th scope="col">Prompt tokens</th>
            <th scope="col">Completion tokens</th>
            <th scope="col">Cost</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={6} class="muted">
                No requests in this period.
              </td>
            </tr>
          )}
          {rows.map((r) => (
            <tr key={`${r.bucket}|${r.name}`}>
              <td>{data.range === '30d' ? r.bucket : `${r.bucket.replace('T', ' ')}:00`}</td>
              <td>{r.name}</td>
              <td class="num">{count(r.requests)}</td>
              <td class="num">{count(r.prompt_tokens)}</td>
              <td class="num">{count(r.completion_tokens)}</td>
              <td class="num">{dollars(r.cost)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
