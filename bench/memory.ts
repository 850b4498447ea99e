/**
 * The gateway's memory over a long mixed run: the fuzz mix (test/support/fuzz-requests.ts: mutated chat
 * and embeddings requests up to 6 MB, damaged bytes and headers, raw malformed HTTP), 8 at a time,
 * against the gateway's bundle in its own process. It reports the process's RSS and V8 heap after a
 * warm-up and after the run, each after a full garbage collection, and the peak RSS.
 */

import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../config/load.js';
import { buildHandlerBundle } from '../test/support/build-handler-bundle.js';
import { fuzzRequest, prng, rawCase } from '../test/support/fuzz-requests.js';
import { benchEnv, type Child, child, peakRssMb } from './processes.js';

export interface MemoryReport {
  requests: number;
  seconds: number;
  warm: MemorySample;
  after: MemorySample;
  peakRssMb: number;
}

export interface MemorySample {
  rssMb: number;
  heapUsedMb: number;
  externalMb: number;
}

const MASTER = 'sk-master-memory-000000000000';
const WARM_UP = 1000;

export async function measureMemory(requests: number, env: NodeJS.ProcessEnv): Promise<MemoryReport> {
  const emulator = await child(['--import', 'tsx', 'bench/memory-emulator.ts'], env);
  const config = parseConfig(`models: [{name: chat, endpoint: chat}, {name: embed, endpoint: embed, dialect: tei}]\nauth: {master_key: ${MASTER}}`);
  const bundle = await buildHandlerBundle(config, fileURLToPath(new URL('./gateway-server.ts', import.meta.url)));
  const gateway = await child(['--expose-gc', bundle], { ...env, AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: emulator.info.url, SAGEGATE_SILENT: '1' });
  try {
    const url = gateway.info.url;
    const rng = prng(15);
    const run = async (count: number) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next++ < count) await (rng.chance(1 / 9) ? sendRaw(url, rawCase(rng, MASTER)) : send(url, fuzzRequest(rng, MASTER)));
        }),
      );
    };
    await run(WARM_UP);
    const warm = await sample(gateway);
    const started = performance.now();
    await run(requests);
    const seconds = (performance.now() - started) / 1000;
    const after = await sample(gateway);
    return { requests, seconds, warm, after, peakRssMb: peakRssMb(gateway.proc.pid!) };
  } finally {
    gateway.proc.kill();
    emulator.proc.kill();
  }
}

async function send(url: string, r: ReturnType<typeof fuzzRequest>): Promise<void> {
  try {
    const res = await fetch(`${url}${r.path}`, {
      method: r.method,
      headers: r.headers,
      body: r.method === 'GET' ? undefined : new Uint8Array(r.body),
      signal: AbortSignal.timeout(15_000),
    });
    await res.arrayBuffer();
  } catch {
    // a refused or reset request counts as sent: the row is about what the gateway keeps
  }
}

function sendRaw(url: string, bytes: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(Number(new URL(url).port), '127.0.0.1', () => socket.write(bytes, 'latin1'));
    const timer = setTimeout(() => socket.destroy(), 10_000);
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The gateway's memory after a full collection (bench/gateway-server.ts answers SIGUSR2 with it). */
async function sample(gateway: Child): Promise<MemorySample> {
  const before = gateway.memory.length;
  gateway.proc.kill('SIGUSR2');
  for (let i = 0; i < 200 && gateway.memory.length === before; i++) await new Promise((r) => setTimeout(r, 25));
  const m = gateway.memory.at(-1);
  if (!m) throw new Error('the gateway did not report its memory');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${gateway.proc.pid}/status`, 'utf8'))![1]) / 1024;
  return { rssMb: rss, heapUsedMb: m.heapUsed / 2 ** 20, externalMb: (m.external + m.arrayBuffers) / 2 ** 20 };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const requests = Number(process.argv[2] ?? 10_000);
  console.log(JSON.stringify(await measureMemory(requests, benchEnv()), null, 2));
}
