import { gzipSync } from 'node:zlib';
import OpenAI from 'openai';
import { parseConfig } from '../../config/load.js';
import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import { qwenVLContainer } from '../../local/emulators/qwen-vl-container.js';
import { SageMakerRuntimeEmulator } from '../../local/emulators/sagemaker-runtime.js';
import { SecretsManagerEmulator } from '../../local/emulators/secrets-manager.js';
import { environmentCredentials } from '../../local/emulators/sigv4-check.js';
import { buildHandlerBundle } from '../support/build-handler-bundle.js';
import { dataUrl, solidPng } from '../support/images.js';
import {
  functionUrlEvent,
  installLambdaRuntime,
  lambdaContext,
  parseStreamed,
  ResponseStreamDouble,
  type StreamingHandler,
  serveFunctionUrl,
} from '../support/lambda-runtime-double.js';

/**
 * The deployed path: the real esbuild bundle, loaded under a double of the Lambda streaming runtime,
 * behind a Function URL double, with keys in (emulated) Secrets Manager as the stack sets them up.
 */
const KEY = 'sk-generated-for-lambda';
const sagemaker = new SageMakerRuntimeEmulator(undefined, environmentCredentials());
const secrets = new SecretsManagerEmulator();
let handler: StreamingHandler;

beforeAll(async () => {
  sagemaker.addEndpoint('chat-endpoint', openAIChatContainer({ tokenDelayMs: 40, reply: () => 'one two three four five' }));
  sagemaker.addEndpoint('vl-endpoint', qwenVLContainer());
  process.env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME = await sagemaker.start();
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = await secrets.start();
  process.env.SAGEGATE_KEYS_SECRET = secrets.put('sagegate/api-keys', JSON.stringify({ master_key: KEY }));
  const config = parseConfig(
    'models: [{name: chat, endpoint: chat-endpoint, region: us-east-1}, {name: qwen-vl, endpoint: vl-endpoint, vision: true}]',
    'lambda test',
    {},
  );
  installLambdaRuntime();
  const bundle = await buildHandlerBundle(config);
  ({ handler } = await import(bundle));
}, 60_000);

afterAll(async () => {
  delete process.env.SAGEGATE_KEYS_SECRET;
  await sagemaker.stop();
  await secrets.stop();
});

it('reads the key store while the container initialises, before the first request', async () => {
  // beforeAll only imported the bundle; no request has been made yet. (Waits while the machine is busy.)
  for (let waited = 0; waited < 2000 && secrets.calls.length < 2; waited += 50) await new Promise((r) => setTimeout(r, 50));
  expect(
    secrets.calls
      .filter((c) => c.operation === 'GetSecretValue')
      .map((c) => c.stage)
      .sort(),
  ).toEqual(['AWSCURRENT', 'AWSPENDING']);
});

async function invoke(event: ReturnType<typeof functionUrlEvent>, timeoutMs?: number) {
  const stream = new ResponseStreamDouble();
  await handler(event, stream, lambdaContext(timeoutMs));
  return { stream, ...parseStreamed(stream.bytes) };
}

const chatBody = (extra: object = {}) => JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], ...extra });
const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };

it('streams through the Function URL double to the official client, chunk by chunk as generated', async () => {
  const url = await serveFunctionUrl(handler);
  try {
    const client = new OpenAI({ baseURL: `${url.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const arrivals: number[] = [];
    let text = '';
    let usage;
    for await (const chunk of stream) {
      arrivals.push(performance.now());
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe('one two three four five');
    expect(usage).toMatchObject({ completion_tokens: 5 });
    // Five tokens 40 ms apart: a buffered response would deliver them all at once.
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(120);
  } finally {
    await url.close();
  }
});

it('writes the prelude (status and headers as JSON, then 8 NUL bytes) before the SSE body', async () => {
  const { stream, prelude, body } = await invoke(
    functionUrlEvent('POST', '/v1/chat/completions', { headers: auth, body: chatBody({ stream: true }) }),
  );
  expect(stream.contentType).toBe('application/vnd.awslambda.http-integration-response');
  expect(prelude.statusCode).toBe(200);
  expect(prelude.headers).toMatchObject({ 'content-type': 'text/event-stream; charset=utf-8', 'x-request-id': expect.stringMatching(/^req_/) });
  expect(prelude.headers).not.toHaveProperty('transfer-encoding');
  expect(body.toString()).toMatch(/^data: \{"id":"chatcmpl-/);
  expect(body.toString().endsWith('data: [DONE]\n\n')).toBe(true);
});

it('decodes base64 request bodies', async () => {
  const { prelude, body } = await invoke(functionUrlEvent('POST', '/v1/chat/completions', { headers: auth, body: chatBody(), base64: true }));
  expect(prelude.statusCode).toBe(200);
  expect(JSON.parse(body.toString()).choices[0].message.content).toBe('one two three four five');
});

it('checks the content type and decodes gzip bodies, and refuses hostile bodies before parsing them, as locally', async () => {
  const plain = await invoke(
    functionUrlEvent('POST', '/v1/chat/completions', { headers: { ...auth, 'content-type': 'text/plain' }, body: chatBody() }),
  );
  expect(plain.prelude.statusCode).toBe(400);
  expect(JSON.parse(plain.body.toString()).error.code).toBe('unsupported_content_type');
  const zipped = functionUrlEvent('POST', '/v1/chat/completions', { headers: { ...auth, 'content-encoding': 'gzip' }, base64: true, body: '' });
  zipped.body = gzipSync(chatBody()).toString('base64');
  const unzipped = await invoke(zipped);
  expect(unzipped.prelude.statusCode).toBe(200);
  expect(JSON.parse(unzipped.body.toString()).choices[0].message.content).toBe('one two three four five');
  const deep = `{"model":"chat","messages":[{"role":"user","content":"x"}],"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
  const nested = await invoke(functionUrlEvent('POST', '/v1/chat/completions', { headers: auth, body: deep }));
  expect(nested.prelude.statusCode).toBe(400);
  expect(JSON.parse(nested.body.toString()).error).toMatchObject({ code: 'nesting_too_deep', param: expect.stringMatching(/^x\[0\]/) });
  const badEscape = await invoke(functionUrlEvent('GET', '/v1/models/%E0%A4%A', { headers: auth }));
  expect(badEscape.prelude.statusCode).toBe(400);
});

it('puts error statuses in the prelude: 401 without a key, 404 for an unknown model', async () => {
  const unauthorised = await invoke(functionUrlEvent('POST', '/v1/chat/completions', { body: chatBody() }));
  expect(unauthorised.prelude.statusCode).toBe(401);
  expect(JSON.parse(unauthorised.body.toString()).error.code).toBe('invalid_api_key');
  const unknown = await invoke(functionUrlEvent('POST', '/v1/chat/completions', { headers: auth, body: chatBody({ model: 'nope' }) }));
  expect(unknown.prelude.statusCode).toBe(404);
});

it('loads the image library on demand from beside the bundle to upscale a 10x10 image', async () => {
  const body = JSON.stringify({
    model: 'qwen-vl',
    messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: dataUrl(await solidPng(10, 10)) } }] }],
  });
  const { prelude, body: out } = await invoke(functionUrlEvent('POST', '/v1/chat/completions', { headers: auth, body }));
  expect(prelude.statusCode).toBe(200);
  expect(JSON.parse(out.toString()).choices[0].message.content).toContain('I see 1 image: 56x56 png');
});

it('answers /health without a key and without calling a model', async () => {
  const calls = sagemaker.invocations.length;
  const { prelude, body } = await invoke(functionUrlEvent('GET', '/health'));
  expect(prelude.statusCode).toBe(200);
  expect(JSON.parse(body.toString())).toEqual({ status: 'ok' });
  expect(sagemaker.invocations.length).toBe(calls);
});

it('ends the stream with a 504 error event and cancels the model call as the function nears its timeout', async () => {
  sagemaker.addEndpoint('chat-endpoint', openAIChatContainer({ tokenDelayMs: 200, reply: () => 'a b c d e f g h i j k l m n o p' }));
  const cancelled = sagemaker.cancelledStreams;
  // 1.5 s are kept back before the timeout: this leaves the model about 0.6 s.
  const { prelude, body } = await invoke(functionUrlEvent('POST', '/v1/chat/completions', { headers: auth, body: chatBody({ stream: true }) }), 2100);
  expect(prelude.statusCode).toBe(200);
  const events = body.toString().trim().split('\n\n');
  expect(events.at(-1)).toBe('data: [DONE]');
  expect(JSON.parse(events.at(-2)!.slice(6)).error).toMatchObject({ code: 'gateway_timeout' });
  await new Promise((r) => setTimeout(r, 100));
  expect(sagemaker.cancelledStreams).toBe(cancelled + 1);
});
