/**
 * The gateway against the price of a hop, measured the way a request meets it: a plain HTTP client
 * (fetch, connections kept alive), every process its own, and each row's floor in the same run, the
 * rows of a route taking turns request by request:
 *
 * - OpenAI-compatible route: the client straight to the upstream (the floor); through a bare Node HTTP
 *   proxy in its own process (`http.createServer` piping to `http.request`, keep-alive on both sides:
 *   the price of the hop alone); through a minimal Hono app (bench/minimal-hono.ts: the framework's own
 *   price, the floor of any gateway built as sagegate is); through the gateway; through Portkey's OSS
 *   gateway (`--portkey`). Each process in the path has its CPU per pair counted.
 * - SageMaker route: the SDK straight to SageMaker (the floor); the SDK through the same bare proxy
 *   (the hop); the client through the gateway (which calls SageMaker with the SDK).
 *
 * Each row: p50 (and p99) of a whole non-streaming answer, of a stream's first byte and of a whole
 * stream (8 chunks sent at once), and what it adds over the floor.
 */
import { InvokeEndpointCommand, InvokeEndpointWithResponseStreamCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { type Child, child, cpuMs, pct } from './processes.js';

export interface Timing {
  nonStream: number;
  firstByte: number;
  stream: number;
}

type Row = {
  name: string;
  nonStream: () => Promise<number>;
  stream: () => Promise<{ firstByte: number; end: number }>;
  /** The process in the client's path (none for the floor), whose CPU is counted. */
  pid?: number;
};

const MESSAGES = [{ role: 'user', content: 'hi' }];

/** A POST with fetch: the time to the first byte of the body and to its end. */
async function fetchTimed(url: string, body: string, headers: Record<string, string> = {}): Promise<{ firstByte: number; end: number }> {
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  const reader = response.body!.getReader();
  let firstByte = 0;
  for (;;) {
    const { done } = await reader.read();
    firstByte ||= performance.now() - started;
    if (done) break;
  }
  return { firstByte, end: performance.now() - started };
}

function openAIRow(name: string, base: string, model: string, headers: Record<string, string> = {}, pid?: number): Row {
  const url = `${base.replace(/\/+$/, '')}/chat/completions`;
  return {
    name,
    pid,
    nonStream: async () => (await fetchTimed(url, JSON.stringify({ model, messages: MESSAGES }), headers)).end,
    stream: () => fetchTimed(url, JSON.stringify({ model, stream: true, messages: MESSAGES }), headers),
  };
}

function sdkRow(name: string, client: SageMakerRuntimeClient, endpoint: string, pid?: number): Row {
  return {
    name,
    pid,
    async nonStream() {
      const started = performance.now();
      await client.send(
        new InvokeEndpointCommand({ EndpointName: endpoint, ContentType: 'application/json', Body: JSON.stringify({ messages: MESSAGES }) }),
      );
      return performance.now() - started;
    },
    async stream() {
      const started = performance.now();
      const out = await client.send(
        new InvokeEndpointWithResponseStreamCommand({
          EndpointName: endpoint,
          ContentType: 'application/json',
          Body: JSON.stringify({ stream: true, messages: MESSAGES }),
        }),
      );
      let firstByte = 0;
      for await (const _ of out.Body!) firstByte ||= performance.now() - started;
      return { firstByte, end: performance.now() - started };
    },
  };
}

/**
 * Each row's p50/p99, the rows taking turns (so drift and noise fall on all of them alike). A row that
 * fails a kind of request (Portkey's answers on Node 20) drops that kind and says so (NaN).
 */
/** One row's result: p50 and p99, and the CPU its own process spent per pair (one plain and one streamed request). */
interface RowResult {
  p50: Timing;
  p99: Timing;
  cpuMsPerPair?: number;
  failed?: string;
}

async function measure(rows: Row[], pairs: number, warm: number): Promise<Record<string, RowResult>> {
  const samples = rows.map(() => ({ nonStream: [] as number[], firstByte: [] as number[], stream: [] as number[] }));
  const failed = rows.map(() => ({ nonStream: undefined as string | undefined, stream: undefined as string | undefined }));
  const attempt = async <T>(r: number, kind: 'nonStream' | 'stream', run: () => Promise<T>): Promise<T | undefined> => {
    if (failed[r]![kind]) return undefined;
    try {
      return await run();
    } catch (error) {
      failed[r]![kind] = (error as Error).message.slice(0, 200);
      return undefined;
    }
  };
  // CPU of each row's own process from the end of the warm-up: it works only while its row runs.
  const cpuFrom: number[] = [];
  for (let i = -warm; i < pairs; i++) {
    if (i === 0) for (const [r, row] of rows.entries()) if (row.pid) cpuFrom[r] = cpuMs(row.pid);
    for (const [r, row] of rows.entries()) {
      const nonStream = await attempt(r, 'nonStream', row.nonStream);
      const stream = await attempt(r, 'stream', row.stream);
      if (i < 0) continue;
      if (nonStream !== undefined) samples[r]!.nonStream.push(nonStream);
      if (stream) {
        samples[r]!.firstByte.push(stream.firstByte);
        samples[r]!.stream.push(stream.end);
      }
    }
  }
  const q = (values: number[], p: number) => (values.length ? pct(values, p) : Number.NaN);
  const at = (s: (typeof samples)[number], p: number): Timing => ({
    nonStream: q(s.nonStream, p),
    firstByte: q(s.firstByte, p),
    stream: q(s.stream, p),
  });
  return Object.fromEntries(
    rows.map((row, r) => {
      const failures = Object.entries(failed[r]!).filter(([, why]) => why);
      const failedNote = failures.length ? { failed: failures.map(([kind, why]) => `${kind}: ${why}`).join('; ') } : {};
      const cpu = row.pid ? { cpuMsPerPair: (cpuMs(row.pid) - cpuFrom[r]!) / pairs } : {};
      return [row.name, { p50: at(samples[r]!, 50), p99: at(samples[r]!, 99), ...cpu, ...failedNote }];
    }),
  );
}

export interface HopReport {
  pairs: number;
  routes: Record<string, { floor: string; rows: Record<string, RowResult & { added: Timing }> }>;
}

/** What each row adds to its route's floor, at p50. */
function added(rows: Record<string, RowResult>, floor: string) {
  const f = rows[floor]!.p50;
  return Object.fromEntries(
    Object.entries(rows).map(([name, row]) => [
      name,
      {
        ...row,
        added: { nonStream: row.p50.nonStream - f.nonStream, firstByte: row.p50.firstByte - f.firstByte, stream: row.p50.stream - f.stream },
      },
    ]),
  );
}

export interface HopSetup {
  env: NodeJS.ProcessEnv;
  /** The gateway (its models: `bench` on SageMaker, `bench-oai` on the OpenAI-compatible upstream). */
  gatewayUrl: string;
  /** The gateway's process, whose CPU is counted. */
  gatewayPid: number;
  sageMakerUrl: string;
  upstreamUrl: string;
  key: string;
  pairs: number;
  warm: number;
  /** Portkey's gateway in its own process (installed by run.ts under node_modules/.cache), if measured. */
  portkeyEntry?: string;
}

export async function measureHops(setup: HopSetup): Promise<HopReport> {
  const started: Child[] = [];
  const start = async (args: string[]) => {
    const c = await child(args, setup.env);
    started.push(c);
    return c;
  };
  try {
    const proxyToUpstream = await start(['--import', 'tsx', 'bench/bare-proxy.ts', new URL(setup.upstreamUrl).origin, 'http']);
    const minimalHono = await start(['--import', 'tsx', 'bench/minimal-hono.ts', new URL(setup.upstreamUrl).origin]);
    const proxyToSageMaker = await start(['--import', 'tsx', 'bench/bare-proxy.ts', setup.sageMakerUrl, 'http']);
    const auth = { authorization: `Bearer ${setup.key}` };
    const openAIRows: Row[] = [
      openAIRow('direct', setup.upstreamUrl, 'bench'),
      openAIRow('bare proxy', `${proxyToUpstream.info.url}/v1`, 'bench', {}, proxyToUpstream.proc.pid),
      openAIRow('minimal Hono app', `${minimalHono.info.url}/v1`, 'bench', {}, minimalHono.proc.pid),
      openAIRow('sagegate', `${setup.gatewayUrl}/v1`, 'bench-oai', auth, setup.gatewayPid),
    ];
    if (setup.portkeyEntry) {
      const portkey = await startPortkey(setup.portkeyEntry, setup.env);
      started.push(portkey);
      openAIRows.push(
        openAIRow(
          'portkey',
          `${portkey.info.url}/v1`,
          'bench',
          {
            ...auth,
            'x-portkey-provider': 'openai',
            'x-portkey-custom-host': setup.upstreamUrl,
          },
          portkey.proc.pid,
        ),
      );
    }
    const sdk = (endpoint?: string) => new SageMakerRuntimeClient({ region: 'us-east-1', maxAttempts: 1, ...(endpoint && { endpoint }) });
    const sageMakerRows: Row[] = [
      sdkRow('direct SDK call', sdk(), 'bench-fast'),
      sdkRow('SDK through the bare proxy', sdk(proxyToSageMaker.info.url), 'bench-fast', proxyToSageMaker.proc.pid),
      openAIRow('sagegate', `${setup.gatewayUrl}/v1`, 'bench', auth, setup.gatewayPid),
    ];
    const openai = await measure(openAIRows, setup.pairs, setup.warm);
    const sagemaker = await measure(sageMakerRows, setup.pairs, setup.warm);
    return {
      pairs: setup.pairs,
      routes: {
        'OpenAI-compatible': { floor: 'direct', rows: added(openai, 'direct') },
        SageMaker: { floor: 'direct SDK call', rows: added(sagemaker, 'direct SDK call') },
      },
    };
  } finally {
    for (const c of started) c.proc.kill();
  }
}

/** Portkey's OSS gateway (`build/start-server.js --port=N --headless`), once it answers. */
async function startPortkey(entry: string, env: NodeJS.ProcessEnv): Promise<Child> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const { spawn } = await import('node:child_process');
  const proc = spawn(process.execPath, [entry, `--port=${port}`, '--headless'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const up = await fetch(url).then(
      () => true,
      () => false,
    );
    if (up) return { proc, info: { url }, traces: [] };
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill();
  throw new Error('Portkey did not start');
}
