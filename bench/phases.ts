/**
 * `npx tsx bench/phases.ts [pairs]`: where the OpenAI-compatible route's added time goes, phase by
 * phase, sagegate against the minimal Hono app (its floor), one request at a time, plain and streamed
 * in turn. Each server runs with bench/phase-marks.mjs preloaded (Node's hooks only), which notes
 * when a request arrived, when its upstream request was written, when the upstream answered and when
 * the first byte went back. Prints the median of each phase in µs:
 *   before the upstream call: arrival to the upstream write (auth, parsing, validation, routing)
 *   upstream: write to the upstream's answer (the same server for both)
 *   after the upstream answer: to the first byte to the client (decoding, encoding, the framework)
 */
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../config/load.js';
import { buildHandlerBundle } from '../test/support/build-handler-bundle.js';
import { benchEnv, type Child, child, postChat } from './processes.js';

const PAIRS = Number(process.argv[2] ?? 1500);
const WARM = 200;
const env = benchEnv();
const marks = fileURLToPath(new URL('./phase-marks.mjs', import.meta.url));
const upstream = await child(['--import', 'tsx', 'bench/upstream-server.ts'], env);
const config = parseConfig(
  `models:\n  - { name: bench, provider: openai, base_url: "${upstream.info.url}", model: bench }\nauth: { master_key: sk-bench }`,
);
const bundle = await buildHandlerBundle(config, fileURLToPath(new URL('./gateway-server.ts', import.meta.url)));
const servers = [
  { name: 'sagegate', out: fileURLToPath(new URL('./results/sagegate-phases.json', import.meta.url)), args: [bundle], env: { SAGEGATE_SILENT: '1' } },
  {
    name: 'minimal Hono app',
    out: fileURLToPath(new URL('./results/minimal-hono-phases.json', import.meta.url)),
    args: ['--import', 'tsx', 'bench/minimal-hono.ts', upstream.info.url],
    env: {},
  },
];
const running: Child[] = await Promise.all(servers.map((s) => child(['--import', marks, ...s.args], { ...env, ...s.env, PHASES_OUT: s.out })));

const agent = new Agent({ keepAlive: true });
const body = (stream: boolean) => JSON.stringify({ model: 'bench', stream, messages: [{ role: 'user', content: 'hi' }] });
for (let i = 0; i < PAIRS; i++) {
  for (const server of running) {
    const status = await postChat(server.info.url, body(i % 2 === 1), agent);
    if (status !== 200) throw new Error(`${server.info.url} answered ${status}`);
  }
}
await Promise.all(running.map((c) => new Promise((resolve) => c.proc.once('exit', resolve).kill('SIGTERM'))));
upstream.proc.kill();
agent.destroy();

type Row = Record<'arrived' | 'upstreamWritten' | 'upstreamAnswered' | 'answered', number>;
const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const us = (rows: Row[], from: keyof Row, to: keyof Row) => (1000 * median(rows.map((r) => r[to] - r[from]))).toFixed(0).padStart(8);
console.log(`\nphases of the OpenAI-compatible route, median µs of ${(PAIRS - WARM) / 2} requests of each kind (one at a time)`);
console.log(
  `${''.padEnd(26)}${'before upstream'.padStart(16)}${'upstream'.padStart(10)}${'after upstream'.padStart(16)}${'first byte'.padStart(12)}`,
);
for (const server of servers) {
  const rows = (JSON.parse(readFileSync(server.out, 'utf8')) as Row[]).slice(WARM);
  for (const [kind, parity] of [
    ['plain', 0],
    ['streamed', 1],
  ] as const) {
    const of = rows.filter((_, i) => i % 2 === parity);
    console.log(
      `${`${server.name}, ${kind}`.padEnd(26)}${us(of, 'arrived', 'upstreamWritten').padStart(16)}${us(of, 'upstreamWritten', 'upstreamAnswered').padStart(10)}${us(of, 'upstreamAnswered', 'answered').padStart(16)}${us(of, 'arrived', 'answered').padStart(12)}`,
    );
  }
}
process.exit(0);
