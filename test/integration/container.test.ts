import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import { SageMakerRuntimeEmulator } from '../../local/emulators/sagemaker-runtime.js';
import { environmentCredentials } from '../../local/emulators/sigv4-check.js';
import { buildServer } from '../../scripts/build-server.js';

/**
 * The container's command, run outside Docker: the Dockerfile's build step (`npm run build:server`)
 * makes the same bundle, started here with plain `node` as its CMD does (no tsx), then /ping and a
 * SIGTERM with streams open.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');

interface Server {
  url: string;
  child: ChildProcess;
  exit: Promise<number | null>;
  output(): string;
}

let bundle: string;
let emulator: SageMakerRuntimeEmulator;
let configFile: string;
const children: ChildProcess[] = [];

const CONFIG = `
models:
  - { name: paced, endpoint: paced-endpoint }
  - { name: endless, endpoint: endless-endpoint }
  - { name: native, endpoint: paced-endpoint, route: openai }
`;

function start(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Server> {
  const child = spawn(process.execPath, [bundle, '--port', '0', ...args], {
    cwd: root,
    env: { ...process.env, AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: emulator.url, SAGEGATE_SILENT: '1', ...env },
  });
  children.push(child);
  let output = '';
  const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      const match = /listening on (http:\/\/\S+)\/v1/.exec(output);
      if (match) resolve({ url: match[1]!, child, exit, output: () => output });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    exit.then((code) => reject(new Error(`exited ${code}: ${output}`)));
  });
}

/** Opens a raw stream and returns its text so far and a promise of all of it. */
async function openStream(url: string, model: string) {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'one two three four five six seven eight' }] }),
  });
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  const rest = (async () => {
    let text = first;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return text;
      text += new TextDecoder().decode(value);
    }
  })();
  return { first, all: rest };
}

beforeAll(async () => {
  const dir = join(root, 'node_modules/.cache/sagegate-server');
  mkdirSync(dir, { recursive: true });
  // Inside the project, so the external `sharp` resolves as it does beside the bundle in the image.
  bundle = await buildServer(join(mkdtempSync(`${dir}/`), 'server.mjs'));
  emulator = new SageMakerRuntimeEmulator(undefined, environmentCredentials());
  emulator.addEndpoint('paced-endpoint', openAIChatContainer({ tokenDelayMs: 150 }));
  emulator.addEndpoint('endless-endpoint', openAIChatContainer({ tokenDelayMs: 60_000 }));
  await emulator.start();
  configFile = join(mkdtempSync('/tmp/sagegate-container-'), 'sagegate.yaml');
  writeFileSync(configFile, CONFIG);
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await emulator.stop();
});

it("is what the image builds and runs: the build script's bundle, started with node", () => {
  expect(dockerfile).toMatch(/^FROM node:22-slim AS build$/m);
  expect(dockerfile).toContain('RUN npm run build:server');
  expect(dockerfile).toMatch(/^USER node$/m);
  expect(dockerfile).toMatch(/^CMD \["node", "dist\/server\.mjs"\]$/m);
  expect(readFileSync(bundle, 'utf8')).not.toContain('tsx');
});

it('ships no demo and no emulator: the bundle holds neither, and without a config it refuses to start', async () => {
  const code = readFileSync(bundle, 'utf8');
  for (const devOnly of ['DEMO MODE', 'sagegate-demo', 'SageMakerRuntimeEmulator', 'local/emulators', 'examples/demo.yaml'])
    expect(code).not.toContain(devOnly);
  const failed = await start([], { SAGEGATE_CONFIG_FILE: '', SAGEGATE_CONFIG_YAML: '', SAGEMAKER_ENDPOINT_NAME: '' }).then(
    () => undefined,
    (error: Error) => error.message,
  );
  expect(failed).toMatch(/^exited 1: no config: name one with --config/);
  expect(failed).not.toMatch(/DEMO|auth: OFF|listening/);
});

it('serves one SageMaker endpoint named as the ECS service did (SAGEMAKER_ENDPOINT_NAME)', async () => {
  const server = await start([], { SAGEMAKER_ENDPOINT_NAME: 'paced-endpoint' });
  const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'any', maxRetries: 0 });
  const answer = await client.chat.completions.create({ model: 'paced-endpoint', messages: [{ role: 'user', content: 'hello' }] });
  expect(answer.choices[0]!.message.content).toContain('hello');
  server.child.kill('SIGTERM');
  expect(await server.exit).toBe(0);
});

it('answers GET /ping and /health, and serves a config given as an environment variable', async () => {
  const server = await start([], { SAGEGATE_CONFIG_YAML: CONFIG });
  for (const path of ['/ping', '/health']) {
    const response = await fetch(`${server.url}${path}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  }
  const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'any', maxRetries: 0 });
  const answer = await client.chat.completions.create({ model: 'paced', messages: [{ role: 'user', content: 'hello' }] });
  expect(answer.choices[0]!.message.content).toContain('hello');
  server.child.kill('SIGTERM');
  expect(await server.exit).toBe(0);
});

it('on SIGTERM stops accepting, lets open streams finish, then exits 0', async () => {
  const server = await start(['--config', configFile, '--drain-seconds', '20']);
  const stream = await openStream(server.url, 'paced');
  const native = await openStream(server.url, 'native');
  server.child.kill('SIGTERM');
  // No new work: the listener is closed (or, on a kept-alive connection, a 503 saying why).
  await new Promise((r) => setTimeout(r, 100));
  const refused = await fetch(`${server.url}/ping`).then(
    (r) => r.status,
    () => 'refused',
  );
  expect([503, 'refused']).toContain(refused);
  for (const text of [await stream.all, await native.all]) {
    expect(text).toContain('eight');
    expect(text).not.toContain('"error"');
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
  }
  expect(await server.exit).toBe(0);
});

it('ends the streams still open at the deadline with an error event, cuts their upstream, and exits', async () => {
  const server = await start(['--config', configFile, '--drain-seconds', '1']);
  const cancelledBefore = emulator.cancelledStreams;
  const stream = await openStream(server.url, 'endless');
  server.child.kill('SIGTERM');
  const text = await stream.all; // bounded: the drain deadline, not the model's 60 s per token
  expect(text).toContain('"code":"server_shutting_down"');
  expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
  expect(await server.exit).toBe(0);
  const deadline = Date.now() + 5000;
  while (emulator.cancelledStreams === cancelledBefore && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(emulator.cancelledStreams).toBeGreaterThan(cancelledBefore);
});
