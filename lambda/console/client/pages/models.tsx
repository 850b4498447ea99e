import { NotYet, useApi } from '../use-api.js';

interface Deployment {
  id: string;
  provider: string;
  dialect: string;
  target: string;
  inference_component?: string;
  routing: Record<string, number>;
  prices: { input_per_token: number; output_per_token: number; source: string } | null;
  health: {
    state: 'available' | 'cooling_down' | 'rate_limited';
    cooldown_remaining_seconds: number;
    rate_limit_remaining_seconds?: number;
    failures_last_minute: number;
    in_flight: number;
    recent_latency_ms?: number;
  } | null;
}

interface Models {
  strategy: string;
  num_retries: number | null;
  cooldown_seconds: number;
  allowed_fails: number;
  groups: {
    name: string;
    deployments: Deployment[];
    fallbacks: string[];
    context_window_fallbacks: string[];
    aliases: { alias: string; hidden: boolean }[];
  }[];
}

const perMillion = (perToken: number) => `$${(perToken * 1e6).toFixed(2)}`;

/** Model groups and each deployment's health as this container's router sees it. */
export function ModelsPage() {
  const { data, error } = useApi<Models>('/models');
  if (!data) return <NotYet error={error} />;
  return (
    <section>
      <h1>Models</h1>
      <p class="muted">
        Routing: {data.strategy}; {data.num_retries ?? 'default'} retries; a deployment cools down for {data.cooldown_seconds} s after more than{' '}
        {data.allowed_fails} failures in a minute. Health is this container's view (each Lambda container keeps its own).
      </p>
      {data.groups.map((g) => (
        <div class="scroll" key={g.name}>
          <table>
            <caption>
              {g.name}
              {g.aliases.length > 0 && <span class="muted"> (also {g.aliases.map((a) => a.alias + (a.hidden ? ', hidden' : '')).join('; ')})</span>}
              {g.fallbacks.length > 0 && <span class="muted"> falls back to {g.fallbacks.join(', ')}</span>}
            </caption>
            <thead>
              <tr>
                <th scope="col">Deployment</th>
                <th scope="col">Target</th>
                <th scope="col">Dialect</th>
                <th scope="col">Health</th>
                <th scope="col">Failures (1 min)</th>
                <th scope="col">In flight</th>
                <th scope="col">Latency</th>
                <th scope="col">Price / 1M in, out</th>
              </tr>
            </thead>
            <tbody>
              {g.deployments.map((d) => (
                <tr key={d.id}>
                  <td>{d.id}</td>
                  <td>
                    {d.provider}: {d.target}
                    {d.inference_component && ` / ${d.inference_component}`}
                  </td>
                  <td>{d.dialect}</td>
                  <td>
                    <span class={`status ${d.health?.state ?? 'available'}`}>
                      {d.health?.state === 'cooling_down'
                        ? `cooling down (${d.health.cooldown_remaining_seconds} s)`
                        : d.health?.state === 'rate_limited'
                          ? `rate-limited (${d.health.rate_limit_remaining_seconds ?? 0} s)`
                          : 'available'}
                    </span>
                  </td>
                  <td class="num">{d.health?.failures_last_minute ?? 0}</td>
                  <td class="num">{d.health?.in_flight ?? 0}</td>
                  <td class="num">{d.health?.recent_latency_ms !== undefined ? `${d.health.recent_latency_ms} ms` : '-'}</td>
                  <td>
                    {d.prices
                      ? `${perMillion(d.prices.input_per_token)}, ${perMillion(d.prices.output_per_token)} (${d.prices.source})`
                      : 'no prices'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
}
