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
 *   (the hop); the client through a minimal Hono app that makes the same SDK call and relays the
 *   payload bytes (bench/minimal-hono-sagemaker.ts: the framework's and the SDK's price, the floor of
 *   a gateway built as sagegate is); the client through the gateway.
 *
 * Each route also has its own work above its framework floor in blocks of pairs (the median and spread
 * of the blocks' p50 differences), and the SageMaker route the CPU each further streamed chunk costs
 * in the floor and in the gateway (64-chunk streams against 8-chunk ones, rows taking turns).
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
  /** The p50 of each block of consecutive pairs (see BLOCKS), for the spread of a difference between rows. */
  blocks: Timing[];
  cpuMsPerPair?: number;
  /** The same CPU, block by block. */
  cpuBlocks?: number[];
  failed?: string;
}

/** Pairs are also summarised in this many consecutive blocks, so a difference between rows has a spread. */
const BLOCKS = 5;

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
  const cpuAtBlock: number[][] = rows.map(() => []);
  const blockSize = Math.ceil(pairs / BLOCKS);
  for (let i = -warm; i < pairs; i++) {
    if (i === 0) for (const [r, row] of rows.entries()) if (row.pid) cpuFrom[r] = cpuMs(row.pid);
    if (i >= 0 && i % blockSize === 0) for (const [r, row] of rows.entries()) if (row.pid) cpuAtBlock[r]!.push(cpuMs(row.pid));
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
      const cpuEnd = row.pid ? cpuMs(row.pid) : 0;
      const marks = [...cpuAtBlock[r]!, cpuEnd];
      const cpu = row.pid
        ? {
            cpuMsPerPair: (cpuEnd - cpuFrom[r]!) / pairs,
            cpuBlocks: marks.slice(1).map((end, b) => (end - marks[b]!) / Math.min(blockSize, pairs - b * blockSize)),
          }
        : {};
      const s = samples[r]!;
      const blocks = Array.from({ length: BLOCKS }, (_, b) => {
        const part = (v: number[]) => v.slice(b * blockSize, (b + 1) * blockSize);
        return at({ nonStream: part(s.nonStream), firstByte: part(s.firstByte), stream: part(s.stream) }, 50);
      });
      return [row.name, { p50: at(s, 50), p99: at(s, 99), blocks, ...cpu, ...failedNote }];
    }),
  );
}

/** A difference between two rows (the gateway's own work above its framework floor): over all pairs, and the median and range of the blocks'. */
export interface OwnWork {
  /** The floor row it is measured against. */
  floor: string;
  /** p50(gateway) - p50(floor), in ms. */
  all: Timing;
  /** The same difference block by block: median, lowest, highest. */
  median: Timing;
  min: Timing;
  max: Timing;
  /** CPU per pair above the floor's: over all pairs, and the blocks' median, lowest and highest. */
  cpuMsPerPair: { all: number; median: number; min: number; max: number };
}

export interface ChunkCpu {
  /** Streams measured per length and round, and rounds. */
  streams: number;
  rounds: number;
  /** Per row: CPU ms per 8-chunk stream, per 64-chunk stream (medians of the rounds), and per further chunk (median, lowest, highest round). */
  rows: Record<string, { perStream8: number; perStream64: number; perChunk: number; perChunkMin: number; perChunkMax: number }>;
}

export interface HopReport {
  pairs: number;
  blocks: number;
  routes: Record<string, { floor: string; rows: Record<string, RowResult & { added: Timing }>; ownWork?: OwnWork; chunkCpu?: ChunkCpu }>;
}

const median = (v: number[]) => pct(v, 50);

/** The gateway's row minus the framework floor's. */
function ownWork(rows: Record<string, RowResult>, gateway: string, floor: string): OwnWork | undefined {
  const g = rows[gateway];
  const f = rows[floor];
  if (!g || !f) return undefined;
  const kinds = ['nonStream', 'firstByte', 'stream'] as const;
  const diffs = g.blocks.map((b, i) => Object.fromEntries(kinds.map((k) => [k, b[k] - f.blocks[i]![k]])) as unknown as Timing);
  const stat = (pick: (v: number[]) => number) => Object.fromEntries(kinds.map((k) => [k, pick(diffs.map((d) => d[k]))])) as unknown as Timing;
  const cpuDiffs = (g.cpuBlocks ?? []).map((c, i) => c - (f.cpuBlocks?.[i] ?? 0));
  return {
    floor,
    all: Object.fromEntries(kinds.map((k) => [k, g.p50[k] - f.p50[k]])) as unknown as Timing,
    median: stat(median),
    min: stat((v) => Math.min(...v)),
    max: stat((v) => Math.max(...v)),
    cpuMsPerPair: {
      all: (g.cpuMsPerPair ?? 0) - (f.cpuMsPerPair ?? 0),
      median: median(cpuDiffs),
      min: Math.min(...cpuDiffs),
      max: Math.max(...cpuDiffs),
    },
  };
}

/**
 * The CPU of each further streamed chunk, per row: `streams` streams of 8 chunks and as many of 64,
 * 16 at a time (so the CPU is the process's work, not its idle waits), the rows taking turns round by
 * round; the difference over 56 chunks.
 */
async function chunkCpu(
  rows: { name: string; url: string; pid: number; short: string; long: string; headers?: Record<string, string> }[],
  streams: number,
  rounds: number,
): Promise<ChunkCpu> {
  const run = async (row: (typeof rows)[number], model: string) => {
    let next = 0;
    const cpu0 = cpuMs(row.pid);
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next++ < streams)
          await fetchTimed(`${row.url}/chat/completions`, JSON.stringify({ model, stream: true, messages: MESSAGES }), row.headers);
      }),
    );
    return (cpuMs(row.pid) - cpu0) / streams;
  };
  const per = rows.map(() => ({ short: [] as number[], long: [] as number[] }));
  // A warm-up round, not counted.
  for (const row of rows) {
    await run(row, row.short);
    await run(row, row.long);
  }
  for (let round = 0; round < rounds; round++) {
    for (const [r, row] of round % 2 ? [...rows.entries()].reverse() : [...rows.entries()]) {
      per[r]!.short.push(await run(row, row.short));
      per[r]!.long.push(await run(row, row.long));
    }
  }
  return {
    streams,
    rounds,
    rows: Object.fromEntries(
      rows.map((row, r) => {
        const chunks = per[r]!.long.map((l, i) => (l - per[r]!.short[i]!) / 56);
        return [
          row.name,
          {
            perStream8: median(per[r]!.short),
            perStream64: median(per[r]!.long),
            perChunk: median(chunks),
            perChunkMin: Math.min(...chunks),
            perChunkMax: Math.max(...chunks),
          },
        ];
      }),
    ),
  };
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
  /** bench/minimal-hono-sagemaker.ts, bundled as the gateway is. */
  sageMakerFloorBundle: string;
  /** Streams per length and round for the CPU per chunk (0: not measured). */
  chunkStreams: number;
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
    const sageMakerFloor = await start([setup.sageMakerFloorBundle, JSON.stringify({ bench: 'bench-fast', 'bench-long': 'bench-long' })]);
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
      openAIRow('minimal Hono app + SDK', `${sageMakerFloor.info.url}/v1`, 'bench', {}, sageMakerFloor.proc.pid),
      openAIRow('sagegate', `${setup.gatewayUrl}/v1`, 'bench', auth, setup.gatewayPid),
    ];
    const openai = await measure(openAIRows, setup.pairs, setup.warm);
    const sagemaker = await measure(sageMakerRows, setup.pairs, setup.warm);
    const chunks = setup.chunkStreams
      ? await chunkCpu(
          [
            {
              name: 'minimal Hono app + SDK',
              url: `${sageMakerFloor.info.url}/v1`,
              pid: sageMakerFloor.proc.pid!,
              short: 'bench',
              long: 'bench-long',
            },
            { name: 'sagegate', url: `${setup.gatewayUrl}/v1`, pid: setup.gatewayPid, short: 'bench', long: 'bench-long', headers: auth },
          ],
          setup.chunkStreams,
          3,
        )
      : undefined;
    return {
      pairs: setup.pairs,
      blocks: BLOCKS,
      routes: {
        'OpenAI-compatible': { floor: 'direct', rows: added(openai, 'direct'), ownWork: ownWork(openai, 'sagegate', 'minimal Hono app') },
        SageMaker: {
          floor: 'direct SDK call',
          rows: added(sagemaker, 'direct SDK call'),
          ownWork: ownWork(sagemaker, 'sagegate', 'minimal Hono app + SDK'),
          ...(chunks && { chunkCpu: chunks }),
        },
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
    if (up) return { proc, info: { url }, traces: [], memory: [] };
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill();
  throw new Error('Portkey did not start');
}
