/**
 * `npm run bench`: the gateway's own cost, measured against the local SageMaker emulator in one run,
 * each gateway call interleaved with a direct SDK call to the same emulator (the floor).
 *
 *  - added latency per non-streaming request (p50, p99)
 *  - added time to first token and per-chunk relay delay for streams
 *  - streaming requests per second on one process at concurrency 1, 16, 64, with gateway CPU ms per request
 *  - cold start (load the Lambda bundle, answer the first request), bundle size, peak memory
 *  - the two SageMaker routes on the same container: InvokeEndpointWithResponseStream against the
 *    OpenAI-compatible route (time to first token, gateway CPU per request and per further chunk)
 *  - what metering adds (a second gateway that meters into a DynamoDB table, dynalite in this
 *    process, alternately with the plain bundle started the same way) and its DynamoDB calls per request
 *  - memory after a long mixed run (bench/memory.ts: the fuzz mix), against the RSS after warm-up
 *
 * The gateway runs as its minified bundle in its own process, the emulator in another, this process
 * is the client. Results: a table on stdout and bench/results/latest.json.
 */

import { spawn } from 'node:child_process';
import { subscribe } from 'node:diagnostics_channel';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { InvokeEndpointCommand, InvokeEndpointWithResponseStreamCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { build } from 'esbuild';
import { parseConfig } from '../config/load.js';
import { buildHandlerBundle } from '../test/support/build-handler-bundle.js';
import { startDynamoDb } from '../test/support/dynamodb-double.js';
import { now } from './bench-container.js';
import { type HopReport, measureHops } from './hop.js';
import { measureMemory } from './memory.js';
import { benchEnv, cpuMs, pct, peakRssMb, child as spawnChild, type Trace } from './processes.js';

const quick = process.argv.includes('--quick');
/** Only the hop comparison (bench/hop.ts), for quick iterations on the gateway's own cost. */
const hopOnly = process.argv.includes('--hop-only');
/** Portkey's OSS gateway as a further row of the hop comparison (installed on first use, outside the project's dependencies). */
const withPortkey = process.argv.includes('--portkey');
/** `--pairs N`: pairs per row of the hop comparison (default 1000, 200 with --quick). */
const pairsArg = process.argv.indexOf('--pairs');
const hopPairs = pairsArg > 0 ? Number(process.argv[pairsArg + 1]) : quick ? 200 : 1000;
const N = { warm: quick ? 50 : 300, latency: quick ? 300 : 3000, stream: quick ? 60 : 400, load: quick ? 300 : 2000 };
const KEY = 'sk-bench';
const env = benchEnv();

const config = parseConfig(`
models:
  - { name: bench, endpoint: bench-fast, region: us-east-1 }
  - { name: bench-paced, endpoint: bench-paced, region: us-east-1 }
  - { name: bench-long, endpoint: bench-long, region: us-east-1 }
  # The same containers through SageMaker's OpenAI-compatible route.
  - { name: bench-native, endpoint: bench-fast, region: us-east-1, route: openai }
  - { name: bench-paced-native, endpoint: bench-paced, region: us-east-1, route: openai }
  - { name: bench-long-native, endpoint: bench-long, region: us-east-1, route: openai }
  # The same model on an OpenAI-compatible server (bench/upstream-server.ts).
  - { name: bench-oai, provider: openai, base_url: "http://upstream.invalid/v1", model: bench }
auth: { master_key: ${KEY} }
`);

// The same gateway metering every request into a DynamoDB table, with a gateway-wide budget (never reached).
const USAGE_TABLE = 'bench-usage';
const meteredConfig = { ...config, usage: { ...config.usage, table: USAGE_TABLE, budget: { maxBudget: 1e9 } } };

const child = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => spawnChild(args, { ...env, ...extraEnv });

/** Ends the run after the hop comparison (`--hop-only`). */
class HopOnly extends Error {}

// --- clients --------------------------------------------------------------------------------------

const agent = new Agent({ keepAlive: true, maxSockets: 256 });
let gatewayUrl: URL;

/** GET /health: the HTTP hop to the gateway with nothing behind it. */
function health(): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    request({ host: gatewayUrl.hostname, port: gatewayUrl.port, path: '/health', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(performance.now() - started));
    })
      .on('error', reject)
      .end();
  });
}

/** A POST to the gateway; resolves with the time of the first byte, the end, and each chunk's text. */
function post(body: string, to = gatewayUrl): Promise<{ status: number; firstByte: number; end: number; chunks: { at: number; text: string }[] }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      {
        host: to.hostname,
        port: to.port,
        path: '/v1/chat/completions',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}`, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: { at: number; text: string }[] = [];
        let firstByte = 0;
        res.on('data', (c: Buffer) => {
          const at = performance.now();
          firstByte ||= at - started;
          chunks.push({ at: now(), text: c.toString() });
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, firstByte, end: performance.now() - started, chunks }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let sdk: SageMakerRuntimeClient;
// This process's own SageMaker calls (the floor), as the gateway notes its own: request out, answer headers in.
const directTrace: Trace = [];
const epochNow = () => performance.timeOrigin + performance.now();
const toSageMaker = (message: unknown) => (message as { request: { path: string } }).request.path.startsWith('/endpoints/');
subscribe('http.client.request.start', (m) => toSageMaker(m) && directTrace.push(['up', epochNow()]));
subscribe('http.client.response.finish', (m) => toSageMaker(m) && directTrace.push(['down', epochNow()]));
async function direct(): Promise<number> {
  const started = performance.now();
  await sdk.send(
    new InvokeEndpointCommand({ EndpointName: 'bench-fast', ContentType: 'application/json', Body: '{"messages":[{"role":"user","content":"hi"}]}' }),
  );
  return performance.now() - started;
}
async function directStream(endpoint: string, client = sdk): Promise<{ ttft: number; delays: number[] }> {
  const started = performance.now();
  const out = await client.send(
    new InvokeEndpointWithResponseStreamCommand({
      EndpointName: endpoint,
      ContentType: 'application/json',
      Body: '{"stream":true,"messages":[{"role":"user","content":"hi"}]}',
    }),
  );
  let ttft = 0;
  const delays: number[] = [];
  for await (const event of out.Body!) {
    const text = new TextDecoder().decode(event.PayloadPart?.Bytes);
    const at = now();
    ttft ||= performance.now() - started;
    for (const m of text.matchAll(/@(\d+) /g)) delays.push((at - Number(m[1])) / 1000);
  }
  return { ttft, delays };
}

const chat = JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'hi' }] });
const streamBody = (model: string) =>
  JSON.stringify({ model, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });

async function gatewayStream(model: string, to = gatewayUrl) {
  const r = await post(streamBody(model), to);
  if (r.status !== 200) throw new Error(`gateway answered ${r.status}`);
  const delays: number[] = [];
  for (const c of r.chunks) for (const m of c.text.matchAll(/@(\d+) /g)) delays.push((c.at - Number(m[1])) / 1000);
  return { ttft: r.firstByte, delays };
}

/** The gateway's trace since the last call (see bench/gateway-server.ts). */
async function gatewayTrace(): Promise<Trace> {
  const before = gateway.traces.length;
  gateway.proc.kill('SIGUSR2');
  while (gateway.traces.length === before) await new Promise((r) => setTimeout(r, 10));
  return gateway.traces.at(-1)!;
}

/**
 * Where the added first-token time goes: each paced stream's window (request start to first byte or
 * event) split at the moments the gateway got the request, its SageMaker call went out and the answer's
 * headers came back, against the same moments of the direct SDK call.
 */
function firstTokenBreakdown(windows: { gateway: [number, number][]; direct: [number, number][] }, trace: Trace) {
  const next = (events: Trace, kind: string, after: number, until: number) => events.find(([k, t]) => k === kind && t >= after && t <= until)?.[1];
  const toGateway: number[] = [],
    gatewayBefore: number[] = [],
    gatewayUpstream: number[] = [],
    gatewayAfter: number[] = [];
  for (const [start, first] of windows.gateway) {
    const inAt = next(trace, 'in', start, first);
    const up = inAt && next(trace, 'up', inAt, first);
    const down = up && next(trace, 'down', up, first);
    if (!inAt || !up || !down) continue;
    toGateway.push(inAt - start);
    gatewayBefore.push(up - inAt);
    gatewayUpstream.push(down - up);
    gatewayAfter.push(first - down);
  }
  const directBefore: number[] = [],
    directUpstream: number[] = [],
    directAfter: number[] = [];
  for (const [start, first] of windows.direct) {
    const up = next(directTrace, 'up', start, first);
    const down = up && next(directTrace, 'down', up, first);
    if (!up || !down) continue;
    directBefore.push(up - start);
    directUpstream.push(down - up);
    directAfter.push(first - down);
  }
  const p50 = (v: number[]) => (v.length ? pct(v, 50) : NaN);
  return {
    samples: { gateway: toGateway.length, direct: directBefore.length },
    clientToGateway: p50(toGateway),
    beforeSageMakerCall: { gateway: p50(gatewayBefore), direct: p50(directBefore) },
    sageMakerCallToAnswerHeaders: { gateway: p50(gatewayUpstream), direct: p50(directUpstream) },
    answerHeadersToFirstToken: { gateway: p50(gatewayAfter), direct: p50(directAfter) },
  };
}

/**
 * InvokeEndpointWithResponseStream against the OpenAI-compatible route, on the same containers: time to
 * first token (paced stream, alternating), and gateway CPU per streaming request at concurrency 16 for 8
 * and for 64 chunks, whose difference gives the CPU of each further chunk.
 */
async function compareRoutes() {
  const models = {
    invocations: { paced: 'bench-paced', short: 'bench', long: 'bench-long' },
    openai: { paced: 'bench-paced-native', short: 'bench-native', long: 'bench-long-native' },
  };
  for (let i = 0; i < N.warm; i++)
    for (const m of Object.values(models)) for (const name of Object.values(m)) if (name !== m.paced) await gatewayStream(name);
  const ttft: Record<string, number[]> = { invocations: [], openai: [] };
  for (let i = 0; i < N.stream; i++) {
    for (const route of i % 2 ? (['openai', 'invocations'] as const) : (['invocations', 'openai'] as const))
      ttft[route]!.push((await gatewayStream(models[route].paced)).ttft);
  }
  const cpuPerRequest = async (model: string) => {
    let next = 0;
    const cpu0 = cpuMs(gateway.proc.pid!);
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next++ < N.load) await gatewayStream(model);
      }),
    );
    return (cpuMs(gateway.proc.pid!) - cpu0) / N.load;
  };
  const out: Record<string, { ttftP50: number; ttftP99: number; cpuMsPerRequest: number; cpuMsPerRequest64: number; cpuMsPerChunk: number }> = {};
  // Interleaved rounds, so drift on a shared machine falls on both routes alike.
  const cpu: Record<string, { short: number[]; long: number[] }> = { invocations: { short: [], long: [] }, openai: { short: [], long: [] } };
  for (let round = 0; round < 3; round++) {
    for (const route of ['invocations', 'openai'] as const) {
      cpu[route]!.short.push(await cpuPerRequest(models[route].short));
      cpu[route]!.long.push(await cpuPerRequest(models[route].long));
    }
  }
  for (const route of ['invocations', 'openai'] as const) {
    const short = pct(cpu[route]!.short, 50);
    const long = pct(cpu[route]!.long, 50);
    out[route] = {
      ttftP50: pct(ttft[route]!, 50),
      ttftP99: pct(ttft[route]!, 99),
      cpuMsPerRequest: short,
      cpuMsPerRequest64: long,
      cpuMsPerChunk: (long - short) / 56,
    };
  }
  return out;
}

// --- run --------------------------------------------------------------------------------------------

const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, quick };
const emulator = await child(['--import', 'tsx', 'bench/emulator-server.ts']);
const upstream = await child(['--import', 'tsx', 'bench/upstream-server.ts']);
// The OpenAI-compatible model goes to this run's upstream.
for (const m of config.models) if (m.provider === 'openai') m.baseUrl = upstream.info.url;
const serverBundle = await buildHandlerBundle(config, fileURLToPath(new URL('./gateway-server.ts', import.meta.url)));
const gateway = await child([serverBundle], { AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: emulator.info.url });
gatewayUrl = new URL(gateway.info.url);
Object.assign(process.env, env);
const dynamodb = await startDynamoDb();
await dynamodb.createTable(USAGE_TABLE);
const meteredBundle = await buildHandlerBundle(meteredConfig, fileURLToPath(new URL('./gateway-server.ts', import.meta.url)));
const metered = await child([meteredBundle], {
  AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: emulator.info.url,
  AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url,
  SAGEGATE_SILENT: '1',
});
const meteredUrl = new URL(metered.info.url);
// Its control: the plain bundle started the same way, so a difference is metering's, not a second process's.
const control = await child([serverBundle], { AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: emulator.info.url, SAGEGATE_SILENT: '1' });
const controlUrl = new URL(control.info.url);
process.env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME = emulator.info.url;
Object.assign(process.env, env);
sdk = new SageMakerRuntimeClient({ region: 'us-east-1', maxAttempts: 1 });
// The same client, one hop further away: through a bare HTTP proxy, and through a TCP relay (bench/bare-proxy.ts).
const bareProxies = {
  http: await child(['--import', 'tsx', 'bench/bare-proxy.ts', emulator.info.url, 'http']),
  tcp: await child(['--import', 'tsx', 'bench/bare-proxy.ts', emulator.info.url, 'tcp']),
};
const viaProxy = {
  http: new SageMakerRuntimeClient({ region: 'us-east-1', maxAttempts: 1, endpoint: bareProxies.http.info.url }),
  tcp: new SageMakerRuntimeClient({ region: 'us-east-1', maxAttempts: 1, endpoint: bareProxies.tcp.info.url }),
};

try {
  results.hop = await measureHops({
    env: { ...env, SAGEGATE_SILENT: '1', AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: emulator.info.url },
    gatewayUrl: gateway.info.url,
    gatewayPid: gateway.proc.pid!,
    sageMakerUrl: emulator.info.url,
    upstreamUrl: upstream.info.url,
    key: KEY,
    pairs: hopPairs,
    warm: quick ? 30 : 100,
    ...(withPortkey && { portkeyEntry: await installPortkey() }),
    sageMakerFloorBundle: await buildHandlerBundle(config, fileURLToPath(new URL('./minimal-hono-sagemaker.ts', import.meta.url))),
    chunkStreams: quick ? 300 : 1000,
  });
  if (hopOnly) throw new HopOnly();
  for (let i = 0; i < N.warm; i++) {
    await post(chat);
    await direct();
    await gatewayStream('bench');
    await directStream('bench-fast');
    await directStream('bench-fast', viaProxy.http);
    await directStream('bench-fast', viaProxy.tcp);
  }

  // Added latency, non-streaming: the same request through the gateway and straight to the emulator, alternately.
  const g: number[] = [];
  const d: number[] = [];
  const hop: number[] = [];
  for (let i = 0; i < N.latency; i++) {
    g.push((await post(chat)).end);
    d.push(await direct());
    hop.push(await health());
  }
  results.latency = {
    gateway: { p50: pct(g, 50), p99: pct(g, 99) },
    direct: { p50: pct(d, 50), p99: pct(d, 99) },
    added: { p50: pct(g, 50) - pct(d, 50), p99: pct(g, 99) - pct(d, 99) },
    // The share of the added latency that is the HTTP hop itself (a /health round trip).
    httpHop: { p50: pct(hop, 50), p99: pct(hop, 99) },
  };

  // Streams: time to first token and relay delay per chunk (tokens 5 ms apart).
  const gt: number[] = [];
  const dt: number[] = [];
  const gd: number[] = [];
  const dd: number[] = [];
  const windows: { gateway: [number, number][]; direct: [number, number][] } = { gateway: [], direct: [] };
  await gatewayTrace(); // forget what came before
  directTrace.length = 0;
  for (let i = 0; i < N.stream; i++) {
    const ga = epochNow();
    const a = await gatewayStream('bench-paced');
    const da = epochNow();
    const b = await directStream('bench-paced');
    gt.push(a.ttft);
    dt.push(b.ttft);
    gd.push(...a.delays);
    dd.push(...b.delays);
    windows.gateway.push([ga, ga + a.ttft]);
    windows.direct.push([da, da + b.ttft]);
  }
  results.firstTokenBreakdown = firstTokenBreakdown(windows, await gatewayTrace());
  results.streaming = {
    ttft: {
      gateway: { p50: pct(gt, 50), p99: pct(gt, 99) },
      direct: { p50: pct(dt, 50), p99: pct(dt, 99) },
      added: { p50: pct(gt, 50) - pct(dt, 50), p99: pct(gt, 99) - pct(dt, 99) },
    },
    relayDelay: {
      gateway: { p50: pct(gd, 50), p99: pct(gd, 99) },
      direct: { p50: pct(dd, 50), p99: pct(dd, 99) },
      added: { p50: pct(gd, 50) - pct(dd, 50) },
    },
  };

  // Metering: the metering gateway and its control, alternately; DynamoDB calls counted at dynalite.
  for (let i = 0; i < N.warm; i++) {
    for (const url of [meteredUrl, controlUrl]) {
      await post(chat, url);
      await gatewayStream('bench', url);
    }
  }
  const m = { plain: [] as number[], metered: [] as number[], plainTtft: [] as number[], meteredTtft: [] as number[] };
  const callsBefore = new Map(dynamodb.calls);
  // Each metered request's write lands before the next request goes out: on two shared cores its CPU
  // (the gateway's and dynalite's) would otherwise fall on whichever request comes next, either way.
  // The control then waits as long, so both start from equally idle processes; they take turns first.
  const writes = () => dynamodb.calls.get('UpdateItem') ?? 0;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  let pause = 3;
  const asMetered = async <T>(run: () => Promise<T>): Promise<T> => {
    const before = writes();
    const result = await run();
    const started = performance.now();
    for (let i = 0; i < 200 && writes() <= before; i++) await sleep(1);
    await sleep(2); // and its answer is read
    pause = performance.now() - started;
    return result;
  };
  const asControl = async <T>(run: () => Promise<T>): Promise<T> => {
    const result = await run();
    await sleep(pause);
    return result;
  };
  const inTurn = async (first: boolean, control: () => Promise<void>, metered: () => Promise<void>) => {
    await (first ? control() : metered());
    await (first ? metered() : control());
  };
  for (let i = 0; i < N.stream; i++) {
    await inTurn(
      i % 2 === 0,
      async () => void m.plain.push((await asControl(() => post(chat, controlUrl))).end),
      async () => void m.metered.push((await asMetered(() => post(chat, meteredUrl))).end),
    );
    await inTurn(
      i % 2 === 0,
      async () => void m.plainTtft.push((await asControl(() => gatewayStream('bench-paced', controlUrl))).ttft),
      async () => void m.meteredTtft.push((await asMetered(() => gatewayStream('bench-paced', meteredUrl))).ttft),
    );
  }
  await new Promise((r) => setTimeout(r, 200)); // the last writes land after their answers
  const perRequest = (op: string) => ((dynamodb.calls.get(op) ?? 0) - (callsBefore.get(op) ?? 0)) / (2 * N.stream);
  results.metering = {
    addedLatencyP50: pct(m.metered, 50) - pct(m.plain, 50),
    addedTtftP50: pct(m.meteredTtft, 50) - pct(m.plainTtft, 50),
    ttftP50: { plain: pct(m.plainTtft, 50), metered: pct(m.meteredTtft, 50) },
    dynamoDbCallsPerRequest: { UpdateItem: perRequest('UpdateItem'), Query: perRequest('Query'), GetItem: perRequest('GetItem') },
  };

  // Throughput: streaming requests (8 chunks each) at several concurrencies, with the gateway's CPU per request.
  const load: Record<string, { rps: number; cpuMsPerRequest: number; p50ms: number; p99ms: number }> = {};
  for (const concurrency of [1, 16, 64]) {
    const total = concurrency === 1 ? Math.round(N.load / 2) : N.load;
    let next = 0;
    const times: number[] = [];
    const cpu0 = cpuMs(gateway.proc.pid!);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next++ < total) times.push((await post(streamBody('bench'))).end);
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    load[`c${concurrency}`] = {
      rps: total / seconds,
      cpuMsPerRequest: (cpuMs(gateway.proc.pid!) - cpu0) / total,
      p50ms: pct(times, 50),
      p99ms: pct(times, 99),
    };
  }
  results.throughput = load;
  results.routes = await compareRoutes();
  results.gatewayPeakRssMb = peakRssMb(gateway.proc.pid!);
  // The first-token alternation again, with a bare hop in the gateway's place (after the load runs,
  // which would otherwise start on a gateway that had sat idle through it).
  const bareHop: Record<string, { p50: number }> = {};
  for (const [kind, client] of Object.entries(viaProxy)) {
    const through: number[] = [];
    const straight: number[] = [];
    for (let i = 0; i < N.stream; i++) {
      through.push((await directStream('bench-paced', client)).ttft);
      straight.push((await directStream('bench-paced')).ttft);
    }
    bareHop[kind] = { p50: pct(through, 50) - pct(straight, 50) };
  }
  (results.streaming as { ttft: Record<string, unknown> }).ttft.addedByBareHop = bareHop;

  // Cold start: a fresh node process loads the Lambda bundle and answers one request.
  const handlerBundle = await buildHandlerBundle(config);
  const coldScript = handlerBundle.replace(/index\.mjs$/, 'cold-start.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('./cold-start.ts', import.meta.url))],
    outfile: coldScript,
    bundle: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'silent',
  });
  const colds: { loadMs: number; firstRequestMs: number }[] = [];
  for (let i = 0; i < (quick ? 3 : 7); i++) {
    const run = await new Promise<string>((resolve, reject) => {
      const p = spawn(process.execPath, [coldScript, handlerBundle], {
        env: { ...env, AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: emulator.info.url, SAGEGATE_SILENT: '1' },
      });
      let out = '';
      p.stdout.on('data', (c) => (out += c));
      p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`cold start exited ${code}`))));
    });
    colds.push(JSON.parse(run.trim().split('\n').at(-1)!));
  }
  results.coldStart = {
    loadMs: pct(
      colds.map((c) => c.loadMs),
      50,
    ),
    firstRequestMs: pct(
      colds.map((c) => c.firstRequestMs),
      50,
    ),
    bundleKb: statSync(handlerBundle).size / 1024,
  };
  // Memory over a long mixed run (the fuzz mix), in a gateway of its own.
  results.memory = await measureMemory(quick ? 2000 : 10_000, env);
} catch (error) {
  if (!(error instanceof HopOnly)) throw error;
} finally {
  gateway.proc.kill();
  metered.proc.kill();
  control.proc.kill();
  await dynamodb.stop();
  emulator.proc.kill();
  upstream.proc.kill();
  for (const proxy of Object.values(bareProxies)) proxy.proc.kill();
  agent.destroy();
}

// --- report -----------------------------------------------------------------------------------------

const r = results as any;
const ms = (v: number) => `${v.toFixed(3)} ms`;
const row = (name: string, value: string, target = '') => console.log(`${name.padEnd(44)} ${value.padStart(14)}   ${target}`);
const verdict = (value: number, limit: number) => (value < limit ? `target < ${limit}: met` : `target < ${limit}: NOT met`);
printHops(results.hop as HopReport);
if (hopOnly) {
  writeResults();
  process.exit(0);
}
console.log(`\nsagegate benchmark (${results.cpus} cores, ${results.node}${quick ? ', quick' : ''})\n`);
row('added latency, non-streaming, p50', ms(r.latency.added.p50), verdict(r.latency.added.p50, 0.4));
row('added latency, non-streaming, p99', ms(r.latency.added.p99), verdict(r.latency.added.p99, 3));
row('  (gateway p50 / direct p50)', `${ms(r.latency.gateway.p50)} / ${ms(r.latency.direct.p50)}`);
row('  of which the HTTP hop (GET /health), p50', ms(r.latency.httpHop.p50));
row('added time to first token, p50', ms(r.streaming.ttft.added.p50), verdict(r.streaming.ttft.added.p50, 0.4));
row('  time to first token p99, gateway / direct', `${ms(r.streaming.ttft.gateway.p99)} / ${ms(r.streaming.ttft.direct.p99)}`);
row('  for scale, a bare Node HTTP proxy adds, p50', ms(r.streaming.ttft.addedByBareHop.http.p50));
row('  and a bare TCP relay (no HTTP) adds, p50', ms(r.streaming.ttft.addedByBareHop.tcp.p50));
row('added relay delay per chunk, p50', ms(r.streaming.relayDelay.added.p50));
const b = r.firstTokenBreakdown;
console.log(`  where the added first-token time goes (p50 per step; gateway / direct SDK call):`);
row('    client -> gateway', ms(b.clientToGateway));
row('    request -> SageMaker call sent', `${ms(b.beforeSageMakerCall.gateway)} / ${ms(b.beforeSageMakerCall.direct)}`);
row('    SageMaker call -> answer headers', `${ms(b.sageMakerCallToAnswerHeaders.gateway)} / ${ms(b.sageMakerCallToAnswerHeaders.direct)}`);
row('    answer headers -> first token at client', `${ms(b.answerHeadersToFirstToken.gateway)} / ${ms(b.answerHeadersToFirstToken.direct)}`);
for (const [c, v] of Object.entries(r.throughput) as [string, any][]) {
  row(`streaming, concurrency ${c.slice(1)}: requests/s`, v.rps.toFixed(0));
  row(`streaming, concurrency ${c.slice(1)}: gateway CPU per request`, ms(v.cpuMsPerRequest));
}
console.log('  the two SageMaker routes, same containers (InvokeEndpointWithResponseStream / OpenAI-compatible route):');
const routes = r.routes;
row('    time to first token, p50', `${ms(routes.invocations.ttftP50)} / ${ms(routes.openai.ttftP50)}`);
row('    time to first token, p99', `${ms(routes.invocations.ttftP99)} / ${ms(routes.openai.ttftP99)}`);
row('    gateway CPU per streaming request (8 chunks)', `${ms(routes.invocations.cpuMsPerRequest)} / ${ms(routes.openai.cpuMsPerRequest)}`);
row('    gateway CPU per streaming request (64 chunks)', `${ms(routes.invocations.cpuMsPerRequest64)} / ${ms(routes.openai.cpuMsPerRequest64)}`);
row('    gateway CPU per further chunk', `${ms(routes.invocations.cpuMsPerChunk)} / ${ms(routes.openai.cpuMsPerChunk)}`);
const mt = r.metering;
row('metering: added latency, non-streaming, p50', ms(mt.addedLatencyP50), 'target: ~0 (written after the answer)');
row('metering: added time to first token, p50', ms(mt.addedTtftP50), `(${ms(mt.ttftP50.metered)} vs ${ms(mt.ttftP50.plain)})`);
row(
  'metering: DynamoDB calls per request',
  `${mt.dynamoDbCallsPerRequest.UpdateItem.toFixed(2)} writes, ${(mt.dynamoDbCallsPerRequest.Query + mt.dynamoDbCallsPerRequest.GetItem).toFixed(3)} reads`,
  'target: 1 write, 0 reads',
);
row('cold start: load the bundle', ms(r.coldStart.loadMs), verdict(r.coldStart.loadMs, 100));
row('cold start: first request after load', ms(r.coldStart.firstRequestMs));
row('bundle size', `${r.coldStart.bundleKb.toFixed(0)} KB`, verdict(r.coldStart.bundleKb, 600));
row('gateway peak memory (RSS)', `${r.gatewayPeakRssMb.toFixed(0)} MB`);
const mem = r.memory;
row(
  `memory: RSS after ${mem.requests} mixed requests`,
  `${mem.after.rssMb.toFixed(0)} MB`,
  `${verdict(mem.after.rssMb / mem.warm.rssMb, 1.5)} (x of ${mem.warm.rssMb.toFixed(0)} MB after warm-up; peak ${mem.peakRssMb.toFixed(0)} MB)`,
);
row('memory: V8 heap in use, warm-up / after', `${mem.warm.heapUsedMb.toFixed(1)} / ${mem.after.heapUsedMb.toFixed(1)} MB`);
writeResults();

function writeResults() {
  mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
  const file = fileURLToPath(new URL('./results/latest.json', import.meta.url));
  writeFileSync(file, JSON.stringify(results, null, 2));
  console.log(`\nwritten to ${file}`);
}

/** The hop comparison: each row's p50 and what it adds to its route's floor, with the targets. */
function printHops(hop: HopReport) {
  console.log(
    `\nthe gateway against the price of a hop (${hop.pairs} pairs of a plain and a streamed request per row, rows taking turns; p50 in ms; CPU/pair: ms of CPU the process in the path spent per pair)\n`,
  );
  const cell = (v: number) => v.toFixed(3).padStart(9);
  for (const [route, { floor, rows }] of Object.entries(hop.routes)) {
    console.log(`${route} route (floor: ${floor})`);
    console.log(
      `${''.padEnd(30)}${'non-stream'.padStart(11)}${'added'.padStart(9)}  ${'first byte'.padStart(11)}${'added'.padStart(9)}  ${'stream'.padStart(9)}${'added'.padStart(9)}  ${'CPU/pair'.padStart(9)}`,
    );
    for (const [name, t] of Object.entries(rows)) {
      console.log(
        `${name.padEnd(30)}${cell(t.p50.nonStream)}  ${cell(t.added.nonStream)}  ${cell(t.p50.firstByte)}  ${cell(t.added.firstByte)}  ${cell(t.p50.stream)}  ${cell(t.added.stream)}  ${t.cpuMsPerPair === undefined ? ''.padStart(9) : cell(t.cpuMsPerPair)}`,
      );
    }
    const hopRow = rows[route === 'SageMaker' ? 'SDK through the bare proxy' : 'bare proxy']!.added;
    const gate = rows.sagegate!.added;
    console.log(
      `  first byte: sagegate adds ${(gate.firstByte / hopRow.firstByte).toFixed(2)}x the hop's (target <= 2x: ${gate.firstByte <= 2 * hopRow.firstByte ? 'met' : 'NOT met'})`,
    );
    console.log(
      `  non-stream: sagegate adds ${ms(gate.nonStream)}, the hop ${ms(hopRow.nonStream)} (target <= hop + 0.3 ms: ${gate.nonStream <= hopRow.nonStream + 0.3 ? 'met' : 'NOT met'})`,
    );
    const own = hop.routes[route]!.ownWork;
    if (own) {
      const framework = rows[own.floor]!.added;
      const spread = (k: 'nonStream' | 'firstByte') => `${ms(own.median[k])} [${own.min[k].toFixed(3)}..${own.max[k].toFixed(3)}]`;
      console.log(
        `  framework floor (${own.floor}): adds ${ms(framework.nonStream)} non-stream, ${ms(framework.firstByte)} to the first byte over ${rows[hop.routes[route]!.floor] ? hop.routes[route]!.floor : 'the floor'}`,
      );
      console.log(
        `  sagegate's own work above it (all pairs; median [range] of ${hop.blocks} blocks): non-stream ${ms(own.all.nonStream)}; ${spread('nonStream')} (target <= 0.2 ms: ${own.median.nonStream <= 0.2 ? 'met' : 'NOT met'})`,
      );
      console.log(
        `    first byte ${ms(own.all.firstByte)}; ${spread('firstByte')} (target <= 0.2 ms: ${own.median.firstByte <= 0.2 ? 'met' : 'NOT met'})`,
      );
      console.log(
        `    CPU per pair ${ms(own.cpuMsPerPair.all)}; ${ms(own.cpuMsPerPair.median)} [${own.cpuMsPerPair.min.toFixed(3)}..${own.cpuMsPerPair.max.toFixed(3)}]`,
      );
    }
    const chunks = hop.routes[route]!.chunkCpu;
    if (chunks) {
      console.log(`  CPU per streamed chunk (${chunks.streams} streams of 8 and of 64 chunks, 16 at a time, ${chunks.rounds} rounds taking turns):`);
      for (const [name, c] of Object.entries(chunks.rows))
        console.log(
          `    ${name.padEnd(26)} ${ms(c.perChunk)} per further chunk [${c.perChunkMin.toFixed(4)}..${c.perChunkMax.toFixed(4)}]; per stream ${ms(c.perStream8)} (8 chunks), ${ms(c.perStream64)} (64)`,
        );
      const g = chunks.rows.sagegate;
      const f = own && chunks.rows[own.floor];
      if (g && f) console.log(`    sagegate's own CPU per chunk above the floor: ${ms(g.perChunk - f.perChunk)}`);
    }
    const portkey = rows.portkey?.added;
    if (portkey)
      console.log(`  against Portkey: it adds ${(portkey.nonStream / gate.nonStream).toFixed(2)}x sagegate's non-stream latency (target >= 1.5x)`);
    console.log('');
  }
}

/** Portkey's OSS gateway, installed on first use under node_modules/.cache (never a project dependency). */
async function installPortkey(): Promise<string> {
  const dir = fileURLToPath(new URL('../node_modules/.cache/portkey/', import.meta.url));
  const entry = `${dir}node_modules/@portkey-ai/gateway/build/start-server.js`;
  if (!existsSync(entry)) {
    mkdirSync(dir, { recursive: true });
    await new Promise<void>((resolve, reject) => {
      const p = spawn('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '@portkey-ai/gateway@1.15.2'], {
        stdio: 'inherit',
      });
      p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm install of Portkey exited ${code}`))));
    });
  }
  return entry;
}
