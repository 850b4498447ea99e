import OpenAI from 'openai';
import type { GatewayConfig } from '../../lambda/config/config.js';
import { parseConfig } from '../../config/load.js';
import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import { SageMakerRuntimeEmulator } from '../../local/emulators/sagemaker-runtime.js';
import { SecretsManagerEmulator } from '../../local/emulators/secrets-manager.js';
import { environmentCredentials } from '../../local/emulators/sigv4-check.js';
import { buildHandlerBundle } from '../support/build-handler-bundle.js';
import { LambdaRuntimeApi, PRELUDE_CONTENT_TYPE, parsePrelude } from '../support/lambda-runtime-api.js';
import { prepareRuntimeClient, type RuntimeProcess, startRuntimeProcess } from '../support/lambda-runtime-client.js';

/**
 * The deployed path on AWS's own code: the bundle the stack ships, run by `aws-lambda-ric` on Node 22
 * (installed on first use, scripts/lambda-runtime-client.ts), against a Runtime API and a Function URL
 * in front of it (test/support/lambda-runtime-api.ts), with SageMaker and the key store emulated.
 */
const KEY = 'sk-ric-master-key-0123456789';
const sagemaker = new SageMakerRuntimeEmulator(undefined, environmentCredentials());
const secrets = new SecretsManagerEmulator();
const api = new LambdaRuntimeApi();
let ric: RuntimeProcess;
let functionUrl: Awaited<ReturnType<LambdaRuntimeApi['functionUrl']>>;
let env: Record<string, string>;

const chunk = (content: string) =>
  `data: {"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}}}]}\n\n`;

beforeAll(async () => {
  await prepareRuntimeClient();
  sagemaker.addEndpoint('chat-endpoint', openAIChatContainer({ tokenDelayMs: 40, reply: () => 'one two three four five' }));
  sagemaker.addEndpoint('slow-endpoint', openAIChatContainer({ tokenDelayMs: 200, reply: () => 'a b c d e f g h i j k l m n o p' }));
  sagemaker.addEndpoint('breaks-endpoint', () => ({
    stream: [chunk('Half an ans'), { exception: 'ModelStreamError', message: 'the container crashed' }],
  }));
  env = {
    AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: await sagemaker.start(),
    AWS_ENDPOINT_URL_SECRETS_MANAGER: await secrets.start(),
    SAGEGATE_KEYS_SECRET: secrets.put('sagegate/api-keys', JSON.stringify({ master_key: KEY })),
  };
  const config = parseConfig(
    `models:
  - {name: chat, endpoint: chat-endpoint, region: us-east-1}
  - {name: slow, endpoint: slow-endpoint, region: us-east-1}
  - {name: breaks, endpoint: breaks-endpoint, region: us-east-1}`,
    'runtime client test',
    {},
  );
  const bundle = await buildHandlerBundle(config);
  await api.start();
  ric = await startRuntimeProcess({ runtimeApi: api.address, bundle, env });
  functionUrl = await api.functionUrl();
}, 600_000);

afterAll(async () => {
  await functionUrl?.close();
  await ric?.stop();
  await api.stop();
  await sagemaker.stop();
  await secrets.stop();
});

const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
const chatBody = (extra: object = {}) => JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], ...extra });
const post = (body: string, headers: Record<string, string> = auth, signal?: AbortSignal) =>
  fetch(`${functionUrl.url}/v1/chat/completions`, { method: 'POST', headers, body, signal });
const lastInvocation = () => functionUrl.invocations.at(-1)!;

it('starts cold, reads the key store once at init, then serves several invocations in one process', async () => {
  await api.idle();
  // Nothing invoked yet: the key store (its current and pending stages) was read while the runtime initialised.
  const reads = () => secrets.calls.filter((c) => c.operation === 'GetSecretValue').length;
  const limit = Date.now() + 5000;
  while (reads() < 2 && Date.now() < limit) await new Promise((r) => setTimeout(r, 50));
  expect(reads()).toBe(2);
  const pid = ric.child.pid;
  for (let i = 0; i < 3; i++) {
    const response = await post(chatBody());
    expect(response.status).toBe(200);
    expect((await response.json()).choices[0].message.content).toBe('one two three four five');
  }
  await api.idle();
  expect(ric.child.pid).toBe(pid);
  expect(ric.child.exitCode).toBeNull();
  // The key index was kept between invocations: no further read.
  expect(reads()).toBe(2);
});

it('sends the prelude (status, headers and cookies as JSON, then 8 NUL bytes) in a streamed response', async () => {
  const response = await post(chatBody(), { 'content-type': 'application/json', cookie: 'session=abc; theme=dark' });
  expect(response.status).toBe(401);
  expect((await response.json()).error.code).toBe('invalid_api_key');
  const outcome = await lastInvocation().finished;
  if (outcome.kind !== 'response') throw new Error(`expected a response, got ${outcome.kind}`);
  expect(outcome.headers['lambda-runtime-function-response-mode']).toBe('streaming');
  expect(outcome.headers['transfer-encoding']).toBe('chunked');
  expect(outcome.headers['content-type']).toBe(PRELUDE_CONTENT_TYPE);
  const { prelude, body } = parsePrelude(outcome.body);
  expect(prelude.statusCode).toBe(401);
  expect(prelude.headers).toMatchObject({ 'content-type': expect.stringMatching(/^application\/json/), 'x-request-id': expect.stringMatching(/^req_/) });
  expect(prelude.headers).not.toHaveProperty('transfer-encoding');
  // The gateway sets no cookies, and never echoes the caller's.
  expect(prelude.cookies).toBeUndefined();
  expect(prelude.headers).not.toHaveProperty('set-cookie');
  expect(JSON.parse(body.toString()).error.code).toBe('invalid_api_key');
  expect(outcome.trailers).toEqual({});
});

it('streams chunks to the Runtime API as the model produces them, and to the official client', async () => {
  const client = new OpenAI({ baseURL: `${functionUrl.url}/v1`, apiKey: KEY, maxRetries: 0 });
  const stream = await client.chat.completions.create({
    model: 'chat',
    messages: [{ role: 'user', content: 'hi' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  const arrivals: number[] = [];
  let text = '';
  for await (const part of stream) {
    arrivals.push(performance.now());
    text += part.choices[0]?.delta.content ?? '';
  }
  expect(text).toBe('one two three four five');
  const invocation = lastInvocation();
  const outcome = await invocation.finished;
  expect(outcome.kind).toBe('response');
  const { prelude, body } = parsePrelude(invocation.bytes);
  expect(prelude.headers).toMatchObject({ 'content-type': 'text/event-stream; charset=utf-8' });
  expect(body.toString().endsWith('data: [DONE]\n\n')).toBe(true);
  // Five tokens 40 ms apart: a buffered response would arrive in one piece, all at once.
  const withContent = invocation.chunks.filter((c) => c.bytes.includes('"content":"'));
  expect(withContent.length).toBeGreaterThanOrEqual(5);
  expect(withContent.at(-1)!.at - withContent[0]!.at).toBeGreaterThan(120);
  expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(120);
});

it('ends a stream that fails midway with an error event and [DONE], and reports no function error', async () => {
  const response = await post(chatBody({ model: 'breaks', stream: true }));
  expect(response.status).toBe(200);
  const text = await response.text();
  const parts = text.trim().split('\n\n');
  expect(parts.at(-1)).toBe('data: [DONE]');
  expect(JSON.parse(parts.at(-2)!.slice(6)).error).toMatchObject({ code: 'upstream_error' });
  const outcome = await lastInvocation().finished;
  if (outcome.kind !== 'response') throw new Error(`expected a response, got ${outcome.kind}`);
  // The gateway told the client in the stream; the invocation itself succeeded, so the runtime sends no error trailers.
  expect(outcome.trailers['lambda-runtime-function-error-type']).toBeUndefined();
  expect(outcome.trailers['lambda-runtime-function-error-body']).toBeUndefined();
});

it('honours Lambda-Runtime-Deadline-Ms: ends the stream with a 504 event before the timeout and cancels the model call', async () => {
  const deadlined = await api.functionUrl({ timeoutMs: 2100 });
  try {
    const cancelled = sagemaker.cancelledStreams;
    const response = await fetch(`${deadlined.url}/v1/chat/completions`, { method: 'POST', headers: auth, body: chatBody({ model: 'slow', stream: true }) });
    expect(response.status).toBe(200);
    const parts = (await response.text()).trim().split('\n\n');
    expect(parts.at(-1)).toBe('data: [DONE]');
    expect(JSON.parse(parts.at(-2)!.slice(6)).error).toMatchObject({ code: 'gateway_timeout' });
    const invocation = deadlined.invocations[0]!;
    const outcome = await invocation.finished;
    expect(outcome.kind).toBe('response');
    // Finished inside the function's time: Lambda would otherwise have killed it mid-stream.
    expect(outcome.endedAt - invocation.deliveredAt).toBeLessThan(2100);
    await api.idle();
    expect(sagemaker.cancelledStreams).toBe(cancelled + 1);
  } finally {
    await deadlined.close();
  }
});

it('stops the model call when the client goes away mid-stream, and serves the next request', async () => {
  const cancelled = sagemaker.cancelledStreams;
  const abort = new AbortController();
  const response = await post(chatBody({ model: 'slow', stream: true }), auth, abort.signal);
  const reader = response.body!.getReader();
  await reader.read();
  abort.abort();
  const outcome = await lastInvocation().finished;
  // The Function URL dropped the response: the runtime's write fails, the handler's abort reaches SageMaker.
  expect(['cut', 'response']).toContain(outcome.kind);
  await api.idle();
  const deadline = Date.now() + 5000;
  while (sagemaker.cancelledStreams === cancelled && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(sagemaker.cancelledStreams).toBe(cancelled + 1);
  expect(ric.child.exitCode).toBeNull();
  const next = await fetch(`${functionUrl.url}/health`);
  expect(await next.json()).toEqual({ status: 'ok' });
});

it('reports a bundle that cannot initialise through /runtime/init/error, and exits', async () => {
  const broken = new LambdaRuntimeApi();
  await broken.start();
  // A config that skipped validation (no auth section): creating the gateway throws at import.
  const bundle = await buildHandlerBundle({ models: [] } as unknown as GatewayConfig);
  const runtime = await startRuntimeProcess({ runtimeApi: broken.address, bundle, env });
  try {
    await broken.initError();
    expect(broken.initErrors[0]).toMatchObject({ errorType: expect.stringMatching(/TypeError/), body: { errorType: 'TypeError' } });
    expect((await runtime.exited).code).not.toBe(0);
    expect(broken.nextCalls).toHaveLength(0);
  } finally {
    await runtime.stop();
    await broken.stop();
  }
});
