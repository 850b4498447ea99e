import { mkdtempSync, writeFileSync } from 'node:fs';
import OpenAI from 'openai';
import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import { SageMakerRuntimeEmulator } from '../../local/emulators/sagemaker-runtime.js';
import { environmentCredentials } from '../../local/emulators/sigv4-check.js';
import { logRecords, startServer, stopServers } from '../support/child-server.js';
import { errorOf } from '../support/harness.js';

/**
 * What an operator reads: 5xx answers and mid-stream failures log their code and cause; LOG_LEVEL=debug
 * adds a line per upstream call, without prompts unless SAGEGATE_LOG_PAYLOADS=1 says so.
 */
const PROMPT = 'the secret plans for tomorrow';
const chunk = (text: string) => `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: text } }] })}\n\n`;

let emulator: SageMakerRuntimeEmulator;
let configFile: string;

beforeAll(async () => {
  emulator = new SageMakerRuntimeEmulator(undefined, environmentCredentials())
    .addEndpoint('answers', openAIChatContainer())
    .addEndpoint('breaks', () => ({ stream: [chunk('Half an ans'), { exception: 'ModelStreamError', message: 'the container crashed' }] }));
  await emulator.start();
  configFile = `${mkdtempSync('/tmp/sagegate-log-')}/config.yaml`;
  writeFileSync(
    configFile,
    'models:\n  - {name: ok, endpoint: answers}\n  - {name: gone, endpoint: missing}\n  - {name: breaks, endpoint: breaks}\n',
  );
});

afterAll(async () => {
  stopServers();
  await emulator.stop();
});

const serve = (env: NodeJS.ProcessEnv) =>
  startServer(['--config', configFile], { AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: emulator.url, SAGEGATE_SILENT: '0', ...env });
const client = (url: string) => new OpenAI({ baseURL: `${url}/v1`, apiKey: 'x', maxRetries: 0 });
/** Log lines are written just after the answer: give the process a moment. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

it('logs a 5xx with its code and cause, and a failure after the first byte likewise', async () => {
  const server = await serve({});
  const failure = await errorOf(client(server.url).chat.completions.create({ model: 'gone', messages: [{ role: 'user', content: PROMPT }] }));
  expect(failure.status).toBe(502);
  const stream = await client(server.url).chat.completions.create({ model: 'breaks', messages: [{ role: 'user', content: PROMPT }], stream: true });
  await expect(
    (async () => {
      for await (const _ of stream);
    })(),
  ).rejects.toThrow(/container crashed/);
  await settle();
  const records = logRecords(server.output());
  expect(records.find((r) => r.message === 'request failed')).toMatchObject({
    status: 502,
    model: 'gone',
    code: 'upstream_misconfigured',
    cause: expect.stringContaining('ValidationError'),
  });
  expect(records.find((r) => r.message === 'stream failed after its first byte')).toMatchObject({
    code: 'upstream_error',
    cause: expect.stringContaining('ModelStreamError'),
  });
  // Not at debug level: no upstream call lines, and never the prompt.
  expect(records.some((r) => r.message === 'upstream call')).toBe(false);
  expect(server.output()).not.toContain(PROMPT);
});

it('LOG_LEVEL=debug logs each upstream call without the prompt; SAGEGATE_LOG_PAYLOADS=1 adds it', async () => {
  const plain = await serve({ LOG_LEVEL: 'debug' });
  await client(plain.url).chat.completions.create({ model: 'ok', messages: [{ role: 'user', content: PROMPT }] });
  await settle();
  const call = logRecords(plain.output()).find((r) => r.message === 'upstream call');
  expect(call).toMatchObject({
    model: 'ok',
    operation: 'InvokeEndpoint',
    endpoint: 'answers',
    requestBytes: expect.any(Number),
    ms: expect.any(Number),
  });
  expect(plain.output()).not.toContain(PROMPT);

  const verbose = await serve({ LOG_LEVEL: 'debug', SAGEGATE_LOG_PAYLOADS: '1' });
  await client(verbose.url).chat.completions.create({ model: 'ok', messages: [{ role: 'user', content: PROMPT }] });
  await settle();
  const detailed = logRecords(verbose.output()).find((r) => r.message === 'upstream call');
  expect(detailed?.payload).toContain(PROMPT);
  expect(detailed?.answer).toContain(PROMPT);
});
