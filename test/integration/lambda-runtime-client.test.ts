import { gzipSync } from 'node:zlib';
import OpenAI from 'openai';
import { parseConfig } from '../../config/load.js';
import type { GatewayConfig } from '../../lambda/config/config.js';
import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import { qwenVLContainer } from '../../local/emulators/qwen-vl-container.js';
import { SageMakerRuntimeEmulator } from '../../local/emulators/sagemaker-runtime.js';
import { SecretsManagerEmulator } from '../../local/emulators/secrets-manager.js';
import { environmentCredentials } from '../../local/emulators/sigv4-check.js';
import { buildHandlerBundle } from '../support/build-handler-bundle.js';
import { dataUrl, solidPng } from '../support/images.js';
import { LambdaRuntimeApi, PRELUDE_CONTENT_TYPE, parsePrelude } from '../support/lambda-runtime-api.js';
import { type Lambda, startLambda, startRuntimeProcess } from '../support/lambda-runtime-client.js';

/**
 * The deployed path on AWS's own code: the bundle the stack ships, run by `aws-lambda-ric` on Node 22
 * (installed on first use, scripts/lambda-runtime-client.ts), against a Runtime API and a Function URL
 * in front of it (test/support/lambda-runtime-api.ts), with SageMaker and the key store emulated.
 */
const KEY = 'sk-ric-master-key-0123456789';
const sagemaker = new SageMakerRuntimeEmulator(undefined, environmentCredentials());
const secrets = new SecretsManagerEmulator();
let lambda: Lambda;
let env: Record<string, string>;
let bundle: string;

const chunk = (content: string) =>
  `data: {"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}}}]}\n\n`;
const SLOW_REPLY = 'a b c d e f g h i j k l m n o p';

beforeAll(async () => {
  sagemaker.addEndpoint('chat-endpoint', openAIChatContainer({ tokenDelayMs: 40, reply: () => 'one two three four five' }));
  sagemaker.addEndpoint('slow-endpoint', openAIChatContainer({ tokenDelayMs: 200, reply: () => SLOW_REPLY }));
  sagemaker.addEndpoint('breaks-endpoint', () => ({
    stream: [chunk('Half an ans'), { exception: 'ModelStreamError', message: 'the container crashed' }],
  }));
  sagemaker.addEndpoint('vl-endpoint', qwenVLContainer());
  env = {
    AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: await sagemaker.start(),
    AWS_ENDPOINT_URL_SECRETS_MANAGER: await secrets.start(),
    SAGEGATE_KEYS_SECRET: secrets.put('sagegate/api-keys', JSON.stringify({ master_key: KEY })),
  };
  const config = parseConfig(
    `models:
  - {name: chat, endpoint: chat-endpoint, region: us-east-1}
  - {name: slow, endpoint: slow-endpoint, region: us-east-1}
  - {name: breaks, endpoint: breaks-endpoint, region: us-east-1}
  - {name: qwen-vl, endpoint: vl-endpoint, region: us-east-1, vision: true}`,
    'runtime client test',
    {},
  );
  bundle = await buildHandlerBundle(config);
  // The first run builds the client (minutes); later runs reuse it from the cache.
  lambda = await startLambda({ bundle, env });
}, 600_000);

afterAll(async () => {
  await lambda?.stop();
  await sagemaker.stop();
  await secrets.stop();
});

const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
const chatBody = (extra: object = {}) => JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], ...extra });
const post = (body: BodyInit, headers: Record<string, string> = auth, signal?: AbortSignal) =>
  fetch(`${lambda.functionUrl.url}/v1/chat/completions`, { method: 'POST', headers, body, signal });
const lastInvocation = () => lambda.functionUrl.invocations.at(-1)!;
const errorEvent = (sse: string) => {
  const parts = sse.trim().split('\n\n');
  expect(parts.at(-1)).toBe('data: [DONE]');
  return JSON.parse(parts.at(-2)!.slice(6)).error;
};
async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const limit = Date.now() + ms;
  while (!condition() && Date.now() < limit) await new Promise((r) => setTimeout(r, 20));
}

it('starts cold, reads the key store once at init, then serves several invocations in one process', async () => {
  await lambda.api.idle();
  // Nothing invoked yet: the key store (its current and pending stages) was read while the runtime initialised.
  const reads = () => secrets.calls.filter((c) => c.operation === 'GetSecretValue').length;
  await until(() => reads() >= 2);
  expect(reads()).toBe(2);
  const pid = lambda.runtime.child.pid;
  for (let i = 0; i < 3; i++) {
    const response = await post(chatBody());
    expect(response.status).toBe(200);
    expect((await response.json()).choices[0].message.content).toBe('one two three four five');
  }
  await lambda.api.idle();
  expect(lambda.runtime.child.pid).toBe(pid);
  expect(lambda.runtime.child.exitCode).toBeNull();
  // The key index was kept between invocations: no further read.
  expect(reads()).toBe(2);
});

it('sends the prelude (status, headers and cookies as JSON, then 8 NUL bytes) in a streamed response', async () => {
  const response = await post(chatBody(), { 'content-type': 'application/json', cookie: 'session=abc; theme=dark' });
  expect(response.status).toBe(401);
  expect((await response.json()).error.code).toBe('invalid_api_key');
  const invocation = lastInvocation();
  // The Function URL hands cookies over apart from the headers (payload format 2.0).
  expect(invocation.event).toMatchObject({ cookies: ['session=abc', 'theme=dark'] });
  const outcome = await invocation.finished;
  if (outcome.kind !== 'response') throw new Error(`expected a response, got ${outcome.kind}`);
  expect(outcome.headers['lambda-runtime-function-response-mode']).toBe('streaming');
  expect(outcome.headers['transfer-encoding']).toBe('chunked');
  expect(outcome.headers['content-type']).toBe(PRELUDE_CONTENT_TYPE);
  const { prelude, body } = parsePrelude(outcome.body);
  expect(prelude.statusCode).toBe(401);
  expect(prelude.headers).toMatchObject({
    'content-type': expect.stringMatching(/^application\/json/),
    'x-request-id': expect.stringMatching(/^req_/),
  });
  expect(prelude.headers).not.toHaveProperty('transfer-encoding');
  // The gateway sets no cookies, and never echoes the caller's.
  expect(prelude.cookies).toBeUndefined();
  expect(prelude.headers).not.toHaveProperty('set-cookie');
  expect(JSON.parse(body.toString()).error.code).toBe('invalid_api_key');
  expect(outcome.trailers).toEqual({});
  const unknown = await post(chatBody({ model: 'nope' }));
  expect(unknown.status).toBe(404);
  expect((await unknown.json()).error.code).toBe('model_not_found');
});

it('streams chunks to the Runtime API as the model produces them, and to the official client', async () => {
  const client = new OpenAI({ baseURL: `${lambda.functionUrl.url}/v1`, apiKey: KEY, maxRetries: 0 });
  const stream = await client.chat.completions.create({
    model: 'chat',
    messages: [{ role: 'user', content: 'hi' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  const arrivals: number[] = [];
  let text = '';
  let usage: OpenAI.CompletionUsage | undefined;
  for await (const part of stream) {
    arrivals.push(performance.now());
    text += part.choices[0]?.delta.content ?? '';
    usage = part.usage ?? usage;
  }
  expect(text).toBe('one two three four five');
  expect(usage).toMatchObject({ completion_tokens: 5 });
  const invocation = lastInvocation();
  const outcome = await invocation.finished;
  expect(outcome.kind).toBe('response');
  const { prelude, body } = parsePrelude(invocation.bytes);
  expect(prelude.statusCode).toBe(200);
  expect(prelude.headers).toMatchObject({ 'content-type': 'text/event-stream; charset=utf-8' });
  expect(body.toString()).toMatch(/^data: \{"id":"chatcmpl-/);
  expect(body.toString().endsWith('data: [DONE]\n\n')).toBe(true);
  // Five tokens 40 ms apart: a buffered response would arrive in one piece, all at once.
  const withContent = invocation.chunks.filter((c) => c.bytes.includes('"content":"'));
  expect(withContent.length).toBeGreaterThanOrEqual(5);
  expect(withContent.at(-1)!.at - withContent[0]!.at).toBeGreaterThan(120);
  expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(120);
});

it('takes bodies as the Function URL delivers them: base64 when compressed, the content type checked, hostile ones refused', async () => {
  const zipped = await post(new Blob([gzipSync(chatBody())]), { ...auth, 'content-encoding': 'gzip' });
  expect(lastInvocation().event).toMatchObject({ isBase64Encoded: true });
  expect(zipped.status).toBe(200);
  expect((await zipped.json()).choices[0].message.content).toBe('one two three four five');
  const plain = await post(chatBody(), { ...auth, 'content-type': 'text/plain' });
  expect(plain.status).toBe(400);
  expect((await plain.json()).error.code).toBe('unsupported_content_type');
  const deep = `{"model":"chat","messages":[{"role":"user","content":"x"}],"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
  const nested = await post(deep);
  expect(nested.status).toBe(400);
  expect((await nested.json()).error).toMatchObject({ code: 'nesting_too_deep', param: expect.stringMatching(/^x\[0\]/) });
  const badEscape = await fetch(`${lambda.functionUrl.url}/v1/models/%E0%A4%A`, { headers: auth });
  expect(badEscape.status).toBe(400);
});

it('loads the image library on demand from beside the bundle, on Node 22, to upscale a 10x10 image', async () => {
  const body = JSON.stringify({
    model: 'qwen-vl',
    messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: dataUrl(await solidPng(10, 10)) } }] }],
  });
  const response = await post(body);
  expect(response.status).toBe(200);
  expect((await response.json()).choices[0].message.content).toContain('I see 1 image: 56x56 png');
});

it('answers /health without a key and without calling a model', async () => {
  const calls = sagemaker.invocations.length;
  const response = await fetch(`${lambda.functionUrl.url}/health`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: 'ok' });
  expect(sagemaker.invocations.length).toBe(calls);
});

it('ends a stream that fails midway with an error event and [DONE], and reports no function error', async () => {
  const response = await post(chatBody({ model: 'breaks', stream: true }));
  expect(response.status).toBe(200);
  expect(errorEvent(await response.text())).toMatchObject({ code: 'upstream_error' });
  const outcome = await lastInvocation().finished;
  if (outcome.kind !== 'response') throw new Error(`expected a response, got ${outcome.kind}`);
  // The gateway told the client in the stream; the invocation itself succeeded, so the runtime sends no error trailers.
  expect(outcome.trailers['lambda-runtime-function-error-type']).toBeUndefined();
  expect(outcome.trailers['lambda-runtime-function-error-body']).toBeUndefined();
});

it('honours Lambda-Runtime-Deadline-Ms: ends the stream with a 504 event before the timeout and cancels the model call', async () => {
  const deadlined = await lambda.api.functionUrl({ timeoutMs: 2100 });
  try {
    const cancelled = sagemaker.cancelledStreams;
    const response = await fetch(`${deadlined.url}/v1/chat/completions`, {
      method: 'POST',
      headers: auth,
      body: chatBody({ model: 'slow', stream: true }),
    });
    expect(response.status).toBe(200);
    expect(errorEvent(await response.text())).toMatchObject({ code: 'gateway_timeout' });
    const invocation = deadlined.invocations[0]!;
    const outcome = await invocation.finished;
    expect(outcome.kind).toBe('response');
    // Finished inside the function's time: Lambda would otherwise have killed it mid-stream.
    expect(outcome.endedAt - invocation.deliveredAt).toBeLessThan(2100);
    await lambda.api.idle();
    expect(sagemaker.cancelledStreams).toBe(cancelled + 1);
  } finally {
    await deadlined.close();
  }
});

describe('a client gone mid-stream', () => {
  // Lambda does not stop a streamed invocation when its client leaves, nor tell the function
  // (docs/wire-facts.md §14): the Runtime API goes on reading the response. Only the function's
  // own bounds end it; the execution environment must then answer the next invocation.
  async function leaveAfterFirstChunk(url: string) {
    const abort = new AbortController();
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: auth,
      body: chatBody({ model: 'slow', stream: true }),
      signal: abort.signal,
    });
    await response.body!.getReader().read();
    abort.abort();
  }

  it('goes on to the answer’s end with no function error, and the same process serves the next request', async () => {
    const cancelled = sagemaker.cancelledStreams;
    const pid = lambda.runtime.child.pid;
    await leaveAfterFirstChunk(lambda.functionUrl.url);
    const invocation = lastInvocation();
    const outcome = await invocation.finished;
    expect(invocation.viewerGoneAt).toBeGreaterThan(0);
    if (outcome.kind !== 'response') throw new Error(`expected a response, got ${outcome.kind}`);
    expect(outcome.trailers).toEqual({});
    // The whole answer was produced after the client had left, and the stream ended properly.
    expect(outcome.endedAt).toBeGreaterThan(invocation.viewerGoneAt);
    const body = parsePrelude(outcome.body).body.toString();
    expect(body.match(/"content":"/g)?.length).toBe(SLOW_REPLY.split(' ').length);
    expect(body.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(sagemaker.cancelledStreams).toBe(cancelled);
    await lambda.api.idle();
    const next = await post(chatBody());
    expect((await next.json()).choices[0].message.content).toBe('one two three four five');
    expect(lambda.runtime.child.pid).toBe(pid);
    expect(lambda.runtime.child.exitCode).toBeNull();
  });

  it('is ended by the gateway’s deadline when the model outlasts the function, which cancels the model call', async () => {
    const deadlined = await lambda.api.functionUrl({ timeoutMs: 2100 });
    try {
      const cancelled = sagemaker.cancelledStreams;
      await leaveAfterFirstChunk(deadlined.url);
      const invocation = deadlined.invocations[0]!;
      const outcome = await invocation.finished;
      expect(invocation.viewerGoneAt).toBeGreaterThan(0);
      if (outcome.kind !== 'response') throw new Error(`expected a response, got ${outcome.kind}`);
      expect(outcome.endedAt - invocation.deliveredAt).toBeLessThan(2100);
      expect(errorEvent(parsePrelude(outcome.body).body.toString())).toMatchObject({ code: 'gateway_timeout' });
      await lambda.api.idle();
      expect(sagemaker.cancelledStreams).toBe(cancelled + 1);
      const next = await post(chatBody());
      expect(next.status).toBe(200);
      expect(lambda.runtime.child.exitCode).toBeNull();
    } finally {
      await deadlined.close();
    }
  });
});

describe('init', () => {
  it('reports a bundle that cannot initialise through /runtime/init/error, and exits', async () => {
    const broken = new LambdaRuntimeApi();
    await broken.start();
    // A config that skipped validation (no auth section): creating the gateway throws at import.
    const runtime = await startRuntimeProcess({
      runtimeApi: broken.address,
      bundle: await buildHandlerBundle({ models: [] } as unknown as GatewayConfig),
      env,
    });
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

  it('does not fail init on an unreadable key store: requests get 503 key_store_unavailable until it can be read, in one process', async () => {
    // A failed init would answer the caller with Lambda's own bare error and start the environment again;
    // the gateway instead starts, and fails closed with an error in the API's shape (docs/api-and-errors.md).
    const store = new SecretsManagerEmulator();
    store.down = true;
    const unreadable = await startLambda({
      bundle,
      env: {
        ...env,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: await store.start(),
        SAGEGATE_KEYS_SECRET: store.put('sagegate/api-keys', JSON.stringify({ master_key: KEY })),
      },
    });
    try {
      await unreadable.api.idle();
      expect(unreadable.api.initErrors).toEqual([]);
      const refused = await fetch(`${unreadable.functionUrl.url}/v1/models`, { headers: auth });
      expect(refused.status).toBe(503);
      expect((await refused.json()).error.code).toBe('key_store_unavailable');
      store.down = false;
      // Asked again after the Retry-After it gave, the same process reads the store and serves.
      await new Promise((r) => setTimeout(r, Number(refused.headers.get('retry-after')) * 1000));
      const served = await fetch(`${unreadable.functionUrl.url}/v1/models`, { headers: auth });
      expect(served.status).toBe(200);
      expect(unreadable.runtime.child.exitCode).toBeNull();
    } finally {
      await unreadable.stop();
      await store.stop();
    }
  }, 20_000);
});
