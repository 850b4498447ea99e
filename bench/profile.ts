/**
 * `npm run profile`: where the gateway's CPU goes. Runs the gateway bundle (unminified, so names
 * survive) under `node --cpu-prof` against the benchmark's emulator, drives streaming requests at
 * concurrency 16, then prints self and inclusive time per source module (SDK packages, our files)
 * and the functions with the most self time. The raw .cpuprofile is kept for Chrome DevTools.
 *   --openai   the OpenAI-compatible route (bench/upstream-server.ts) instead of SageMaker's
 *   --c1       one request at a time instead of 16
 *   --pairs    the hop comparison's pattern: one at a time, a plain request and a streamed one in turn
 *   --floor    the SageMaker route's floor (bench/minimal-hono-sagemaker.ts) instead of the gateway, for
 *              a side-by-side of what the gateway does above it
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { parseConfig } from '../config/load.js';
import { BUNDLE_EXTERNALS, configDefine, NODE_BUNDLE } from '../lib/bundling.js';
import { postChat } from './processes.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = fileURLToPath(new URL('./results/profile/', import.meta.url));
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const bundle = `${dir}gateway.mjs`;
const openAI = process.argv.includes('--openai');
const pairs = process.argv.includes('--pairs');
const floor = process.argv.includes('--floor');
const concurrency = process.argv.includes('--c1') || pairs ? 1 : 16;
const config = parseConfig(
  `models: [${openAI ? '{ name: bench, provider: openai, base_url: "http://upstream.invalid/v1", model: bench }' : '{ name: bench, endpoint: bench-fast, region: us-east-1 }'}]\nauth: { master_key: sk-bench }`,
);

const env = { ...process.env, AWS_ACCESS_KEY_ID: 'p', AWS_SECRET_ACCESS_KEY: 'p', AWS_REGION: 'us-east-1' };
function start(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, args, { cwd: root, env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    const lines = createInterface({ input: proc.stdout! });
    lines.once('line', (line) => {
      resolve({ proc, url: JSON.parse(line).url });
      lines.on('line', () => undefined);
    });
  });
}
const emulator = await start(['--import', 'tsx', openAI ? 'bench/upstream-server.ts' : 'bench/emulator-server.ts']);
// The config is bundled in, so the bundle is built once the upstream's address is known.
for (const m of config.models) if (m.provider === 'openai') m.baseUrl = emulator.url;
// An emulator left running would keep this process (and its port) alive after a failed build.
process.once('exit', () => emulator.proc.kill());
await build({
  entryPoints: [`${root}bench/${floor ? 'minimal-hono-sagemaker.ts' : 'gateway-server.ts'}`],
  outfile: bundle,
  ...NODE_BUNDLE,
  // Unminified, so the profile names our functions.
  minify: false,
  define: configDefine(config),
  external: BUNDLE_EXTERNALS,
  logLevel: 'silent',
});
const gateway = await start(['--cpu-prof', `--cpu-prof-dir=${dir}`, bundle, ...(floor ? [JSON.stringify({ bench: 'bench-fast' })] : [])], {
  AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: emulator.url,
});

const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const streamed = JSON.stringify({
  model: 'bench',
  stream: true,
  stream_options: { include_usage: true },
  messages: [{ role: 'user', content: 'hi' }],
});
const plain = JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'hi' }] });
let posted = 0;
const post = (body = pairs && posted++ % 2 === 0 ? plain : streamed) => postChat(gateway.url, body, agent);
const REQUESTS = 3000;
let sent = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (sent++ < REQUESTS) await post();
  }),
);
gateway.proc.kill('SIGTERM');
emulator.proc.kill();
agent.destroy();
await new Promise((resolve) => gateway.proc.once('exit', resolve));

// --- attribute samples to source modules through esbuild's `// path` markers ---
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const profileFile = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
const profile = JSON.parse(readFileSync(dir + profileFile, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const marks: [number, string][] = [];
readFileSync(bundle, 'utf8')
  .split('\n')
  .forEach((line, i) => {
    const m = /^\/\/ (node_modules\/(?:@[^/]+\/)?[^/\s]+|(?:lambda|local|bench)\/\S+)/.exec(line);
    if (m) marks.push([i, m[1]!.replace(/^node_modules\//, '')]);
  });
const moduleAt = (line: number) => {
  let found = 'bundle';
  for (const [at, name] of marks) {
    if (at > line) break;
    found = name;
  }
  return found;
};
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const total = profile.timeDeltas.reduce((a, b) => a + b, 0);
const self = new Map<string, number>();
const selfByFunction = new Map<string, number>();
const inclusive = new Map<string, number>();
const inclusiveByFunction = new Map<string, number>();
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i]!;
  const leaf = byId.get(id)!;
  const leafName = leaf.callFrame.url.endsWith('gateway.mjs')
    ? moduleAt(leaf.callFrame.lineNumber)
    : leaf.callFrame.url || leaf.callFrame.functionName;
  self.set(leafName, (self.get(leafName) ?? 0) + dt);
  const fn = `${leaf.callFrame.functionName || '(anonymous)'}  ${leafName}`;
  selfByFunction.set(fn, (selfByFunction.get(fn) ?? 0) + dt);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const n = byId.get(cur)!;
    if (!n.callFrame.url.endsWith('gateway.mjs')) continue;
    const name = moduleAt(n.callFrame.lineNumber);
    if (!seen.has(name)) {
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + dt);
    }
    const fn = `${n.callFrame.functionName || '(anonymous)'}:${n.callFrame.lineNumber}  ${name}`;
    if (!seen.has(fn) && /^(lambda|bench)\//.test(name)) {
      seen.add(fn);
      inclusiveByFunction.set(fn, (inclusiveByFunction.get(fn) ?? 0) + dt);
    }
  }
});
const show = (title: string, map: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [name, t] of [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20))
    console.log(`${((100 * t) / total).toFixed(1).padStart(6)}%  ${name}`);
};
show('self time by module', self);
show('inclusive time by module (time with the module on the stack)', inclusive);
show('self time by function', selfByFunction);
show("inclusive time by function, the project's own (name:line in the bundle)", inclusiveByFunction);
const busy = total - (self.get('(idle)') ?? 0);
console.log(`\n${(busy / REQUESTS).toFixed(0)} µs of CPU per request (samples not idle, startup included)`);
console.log(`\nprofile: ${dir}${profileFile}`);
