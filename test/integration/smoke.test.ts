import { execFile } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { teiContainer } from '../../local/emulators/embedding-containers.js';
import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import { qwenVLContainer } from '../../local/emulators/qwen-vl-container.js';
import { type Harness, startHarness } from '../support/harness.js';

/** `npm run smoke` as CI runs it after a deploy, here against local gateways. */
const run = (url: string, key: string, ...extra: string[]) =>
  promisify(execFile)('npm', ['run', '--silent', 'smoke', '--', '--url', url, '--key', key, ...extra], {
    env: { ...process.env, SAGEGATE_SILENT: '1' },
  }).then(
    (r) => ({ code: 0, out: r.stdout }),
    (e) => ({ code: e.code as number, out: String(e.stdout) }),
  );

const COUNTING = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen';
const setup = (e: import('../../local/emulators/sagemaker-runtime.js').SageMakerRuntimeEmulator) => {
  e.addEndpoint('chat-endpoint', openAIChatContainer({ tokenDelayMs: 25, reply: () => COUNTING }));
  e.addEndpoint('vl-endpoint', qwenVLContainer());
  e.addEndpoint('tei-endpoint', teiContainer());
};
const CONFIG =
  'models: [{name: chat, endpoint: chat-endpoint}, {name: qwen-vl, endpoint: vl-endpoint, vision: true}, {name: bge, endpoint: tei-endpoint, dialect: tei}]';

let h: Harness;
beforeAll(async () => {
  h = await startHarness(`${CONFIG}\nauth: {master_key: sk-smoke-master}`, setup);
});
afterAll(() => h.close());

it('passes every check against a healthy gateway, vision and embeddings included', async () => {
  const { code, out } = await run(h.gateway.url, 'sk-smoke-master', '--model', 'chat', '--vision-model', 'qwen-vl', '--embedding-model', 'bge');
  expect(out).toMatch(/PASS {2}list models/);
  expect(out).toMatch(/PASS {2}chat \(streaming\).*first byte at \d+ ms, last at \d+ ms; usage \d+ tokens; \[DONE\]/);
  expect(out).toMatch(/PASS {2}image to the vision model/);
  expect(out).toMatch(/PASS {2}embeddings +\d+ ms {2}2 vectors of 8 dimensions/);
  expect(out).toMatch(/PASS {2}wrong key refused/);
  expect(out).toContain('6 passed, 0 failed');
  expect(code).toBe(0);
});

it('fails when something between client and gateway buffers the stream', async () => {
  const proxy = await bufferingProxy(h.gateway.url);
  try {
    const { code, out } = await run(proxy.url, 'sk-smoke-master', '--model', 'chat');
    expect(out).toMatch(/FAIL {2}chat \(streaming\).*not streamed/);
    expect(code).toBe(1);
  } finally {
    proxy.server.close();
  }
});

it('fails when the gateway accepts any key', async () => {
  const open = await startHarness(CONFIG, setup);
  try {
    const { code, out } = await run(open.gateway.url, 'anything');
    expect(out).toMatch(/FAIL {2}wrong key refused .* a wrong key was accepted/);
    expect(code).toBe(1);
  } finally {
    await open.close();
  }
});

/** A proxy that holds the whole answer back and sends it in one piece, as a misconfigured CDN might. */
async function bufferingProxy(target: string): Promise<{ url: string; server: Server }> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const forward = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        const { 'transfer-encoding': _te, ...headers } = answer.headers;
        res.writeHead(answer.statusCode ?? 502, headers);
        res.end(Buffer.concat(chunks));
      });
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
