import { Chart } from '../chart.js';
import { type Budget, type Figures, metricOf, type UsageSeries } from '../figures.js';
import { count, dollars, tokens, when } from '../format.js';
import { NotYet, useApi } from '../use-api.js';

interface Overview {
  today: Figures;
  month: Figures;
  budget: Budget | null;
  busiest_models: ({ name: string } & Figures)[];
  busiest_keys: ({ name: string; key_name: string | null } & Figures)[];
  daily: UsageSeries;
  store: string;
}

const money = (v: number) => dollars(v);

export function OverviewPage() {
  const { data, error } = useApi<Overview>('/overview');
  if (!data) return <NotYet error={error} />;
  const daily = data.daily.series[0]?.figures ?? data.daily.buckets.map(() => ({ requests: 0, prompt_tokens: 0, completion_tokens: 0, cost: 0 }));
  const budget = data.budget;
  const share = budget ? Math.min(100, (budget.spent_usd / budget.max_budget_usd) * 100) : 0;
  return (
    <section>
      <h1>Overview</h1>
      <div class="cards">
        <Card title="Today (UTC)" figures={data.today} />
        <Card title="This month" figures={data.month} />
        <div class="card">
          <h2>Gateway budget</h2>
          {budget ? (
            <>
              <p class="big">
                {dollars(budget.spent_usd)} <span class="muted">of {dollars(budget.max_budget_usd)}</span>
              </p>
              <meter class="budget" min={0} max={100} low={75} high={90} optimum={0} value={share} aria-label="Share of the budget spent" />
              <p class="muted">
                per {budget.budget_duration}, resets {when(budget.resets_at)}; {dollars(budget.left_usd)} left
              </p>
            </>
          ) : (
            <p class="muted">No gateway budget is set (usage.max_budget).</p>
          )}
        </div>
      </div>
      <Chart
        title="Spend per day, last 30 days (USD)"
        buckets={data.daily.buckets}
        series={[{ name: 'spend', values: daily.map((f) => metricOf(f, 'cost')) }]}
        format={money}
      />
      <Chart
        title="Requests per day, last 30 days"
        buckets={data.daily.buckets}
        series={[{ name: 'requests', values: daily.map((f) => f.requests) }]}
        format={count}
      />
      <div class="two">
        <Busiest title="Busiest models, last 30 days" rows={data.busiest_models.map((m) => ({ ...m, label: m.name }))} />
        <Busiest
          title="Busiest keys, last 30 days"
          rows={data.busiest_keys.map((k) => ({ ...k, label: k.key_name ? `${k.key_name} (${k.name})` : k.name }))}
        />
      </div>
      <p class="muted">Figures from {data.store}: the rows `npx sagegate usage` reads.</p>
    </section>
  );
}

function Card({ title, figures }: { title: string; figures: Figures }) {
  return (
    <div class="card">
      <h2>{title}</h2>
      <p class="big">{dollars(figures.cost)}</p>
      <p class="muted">
        {count(figures.requests)} requests, {count(tokens(figures))} tokens
      </p>
    </div>
  );
}

function Busiest({ title, rows }: { title: string; rows: ({ label: string } & Figures)[] }) {
  return (
    <div class="scroll">
      <table>
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Requests</th>
            <th scope="col">Tokens</th>
            <th scope="col">Spend</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={4} class="muted">
                No requests yet.
              </td>
            </tr>
          )}
          {rows.map((r) => (
            <tr key={r.label}>
              <td>{r.label}</td>
              <td class="num">{count(r.requests)}</td>
              <td class="num">{count(tokens(r))}</td>
              <td class="num">{dollars(r.cost)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
