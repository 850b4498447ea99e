import OpenAI from 'openai';
import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import { errorOf, type Harness, sseEvents, startHarness } from '../support/harness.js';

const CONFIG = `
models:
  - { name: chat, endpoint: chat-endpoint }
  - { name: rejecting, endpoint: rejecting-endpoint }
  - { name: crashing, endpoint: crashing-endpoint }
  - { name: missing, endpoint: no-such-endpoint }
  - { name: breaks-midway, endpoint: breaks-endpoint }
  - { name: times-out, endpoint: timeout-endpoint }
  - { name: error-event-first, endpoint: error-first-endpoint }
  - { name: error-event-later, endpoint: error-later-endpoint }
  - { name: internal-failure, endpoint: internal-failure-endpoint }
  - { name: garbage, endpoint: garbage-endpoint }
  - { name: stream-failure, endpoint: stream-failure-endpoint }
`;

const chunk = (content: string) =>
  `data: {"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}}}]}\n\n`;

async function drain(stream: AsyncIterable<OpenAI.ChatCompletionChunk>): Promise<string> {
  let text = '';
  for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
  return text;
}

describe('errors, as OpenAI clients see them', () => {
  let h: Harness;
  const ask = (model: string, extra: object = {}) =>
    h.client().chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], ...extra }) as Promise<unknown>;

  beforeAll(async () => {
    h = await startHarness(CONFIG, (e) => {
      e.addEndpoint('chat-endpoint', openAIChatContainer());
      // vLLM refusing a too-long prompt: HTTP 400 inside SageMaker's 424 ModelError.
      e.addEndpoint('rejecting-endpoint', () => ({
        status: 400,
        body: { error: { message: "This model's maximum context length is 4096 tokens.", type: 'BadRequestError', code: 400 } },
      }));
      e.addEndpoint('crashing-endpoint', () => ({ status: 500, body: { error: 'CUDA out of memory', error_type: 'generation' } }));
      e.addEndpoint('breaks-endpoint', () => ({
        stream: [chunk('partial '), { exception: 'ModelStreamError', message: 'Model stream broke', errorCode: 'StreamBroken' }],
      }));
      e.addEndpoint('timeout-endpoint', () => ({
        stream: [
          chunk('slow '),
          {
            exception: 'ModelStreamError',
            message: 'Your model primary did not complete sending the inference response in the allotted time',
            errorCode: 'ModelInvocationTimeExceeded',
          },
        ],
      }));
      e.addEndpoint('error-first-endpoint', () => ({
        stream: ['data:{"error":"Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096","error_type":"validation"}\n\n'],
      }));
      e.addEndpoint('error-later-endpoint', () => ({
        stream: [chunk('Hello '), 'data: {"error":{"message":"engine died","type":"InternalServerError","code":500}}\n\n'],
      }));
      e.addEndpoint('internal-failure-endpoint', openAIChatContainer());
      e.addEndpoint('stream-failure-endpoint', () => ({
        stream: [chunk('so far '), { exception: 'InternalStreamFailure', message: 'The stream processing failed.' }],
      }));
      e.addEndpoint('garbage-endpoint', () => ({ body: '<html>oops</html>', contentType: 'text/html' }));
    });
  });
  afterAll(() => h.close());

  it("turns SageMaker's ThrottlingException (HTTP 400) into a 429 with Retry-After", async () => {
    h.emulator.failNext('chat-endpoint', 'ThrottlingException', 2); // the gateway's SDK retries once
    const error = await errorOf(ask('chat'));
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.status).toBe(429);
    expect(error.headers?.get('retry-after')).toBe('1');
    expect(error.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
  });

  it('retries one transient throttle itself, so the client sees a success', async () => {
    h.emulator.failNext('chat-endpoint', 'ThrottlingException', 1);
    await expect(ask('chat')).resolves.toMatchObject({ object: 'chat.completion' });
  });

  it('answers 429 with Retry-After while the endpoint is not ready', async () => {
    h.emulator.failNext('chat-endpoint', 'ModelNotReadyException', 2);
    const error = await errorOf(ask('chat', { stream: true }));
    expect(error.status).toBe(429);
    expect(error.headers?.get('retry-after')).toBe('5');
    expect(error.error).toMatchObject({ code: 'model_not_ready' });
  });

  it("passes a container's 4xx on as a 400 with the container's own message", async () => {
    const error = await errorOf(ask('rejecting'));
    expect(error.status).toBe(400);
    expect(error.message).toContain("This model's maximum context length is 4096 tokens.");
    expect(error.error).toMatchObject({ type: 'invalid_request_error', code: 'model_rejected_request' });
  });

  it("reports a container's 5xx as 502", async () => {
    const error = await errorOf(ask('crashing'));
    expect(error.status).toBe(502);
    expect(error.message).toContain('CUDA out of memory');
  });

  it('reports a missing endpoint as 502 naming the misconfigured model', async () => {
    const error = await errorOf(ask('missing'));
    expect(error.status).toBe(502);
    expect(error.message).toContain("model 'missing'");
    expect(error.message).toContain('Endpoint no-such-endpoint of account');
    expect(error.error).toMatchObject({ code: 'upstream_misconfigured' });
  });

  it('maps InternalFailure and InternalDependencyException to 502, ServiceUnavailable to 503', async () => {
    h.emulator.failNext('internal-failure-endpoint', 'InternalFailure', 2);
    expect((await errorOf(ask('internal-failure'))).status).toBe(502);
    h.emulator.failNext('internal-failure-endpoint', 'InternalDependencyException', 2);
    expect((await errorOf(ask('internal-failure'))).status).toBe(502);
    h.emulator.failNext('internal-failure-endpoint', 'ServiceUnavailable', 2);
    expect((await errorOf(ask('internal-failure'))).status).toBe(503);
  });

  it('reports a non-JSON container answer as 502', async () => {
    const error = await errorOf(ask('garbage'));
    expect(error.status).toBe(502);
    expect(error.message).toContain('not JSON');
  });

  it('gives a stream whose first event is a container error the right status, not a 200', async () => {
    const error = await errorOf(ask('error-event-first', { stream: true }));
    expect(error.status).toBe(400);
    expect(error.message).toContain('must be <= 4096');
  });

  it('ends a stream that breaks after its first bytes with an error event the SDK raises', async () => {
    const stream = (await ask('breaks-midway', { stream: true })) as AsyncIterable<OpenAI.ChatCompletionChunk>;
    const error = await errorOf(drain(stream));
    expect(error.message).toContain('Model stream broke');
  });

  it('ends the stream cleanly: partial text, one error event, then [DONE]', async () => {
    const res = await h.post('/v1/chat/completions', { model: 'error-event-later', stream: true, messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(200);
    const events = sseEvents(await res.text());
    expect(JSON.parse(events[0]!).choices[0].delta).toEqual({ role: 'assistant', content: 'Hello ' });
    expect(JSON.parse(events[1]!)).toEqual({
      error: { message: "Model 'error-event-later' failed: engine died", type: 'api_error', param: null, code: 'upstream_error' },
    });
    expect(events.slice(2)).toEqual(['[DONE]']);
  });

  it('reports an InternalStreamFailure mid-stream as an error event after the partial text', async () => {
    const res = await h.post('/v1/chat/completions', { model: 'stream-failure', stream: true, messages: [{ role: 'user', content: 'x' }] });
    const events = sseEvents(await res.text());
    expect(JSON.parse(events[0]!).choices[0].delta.content).toBe('so far ');
    expect(JSON.parse(events.at(-2)!).error).toMatchObject({
      code: 'upstream_error',
      message: expect.stringContaining('The stream processing failed.'),
    });
    expect(events.at(-1)).toBe('[DONE]');
  });

  it("reports SageMaker's time limit mid-stream as a timeout error event", async () => {
    const res = await h.post('/v1/chat/completions', { model: 'times-out', stream: true, messages: [{ role: 'user', content: 'x' }] });
    const events = sseEvents(await res.text());
    expect(JSON.parse(events.at(-2)!).error).toMatchObject({ code: 'upstream_timeout', message: expect.stringContaining('allotted time') });
  });
});

describe('bad input gets an OpenAI error with the right status and param', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('models: [{name: chat, endpoint: chat-endpoint}]\ngateway: {max_body_bytes: 2048}', (e) => {
      e.addEndpoint('chat-endpoint', openAIChatContainer());
    });
  });
  afterAll(() => h.close());

  const expectError = async (res: Response, status: number, fields: object) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/json');
    const body = await res.json();
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    expect(body.error).toMatchObject(fields);
  };

  it('400 for a body that is not JSON', async () => {
    await expectError(await h.post('/v1/chat/completions', '{"model":'), 400, { type: 'invalid_request_error', code: 'invalid_json' });
  });

  it('400 naming the field for a schema violation', async () => {
    await expectError(await h.post('/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: 'x' }], temperature: 7 }), 400, {
      param: 'temperature',
    });
    await expectError(await h.post('/v1/chat/completions', { model: 'chat', messages: [] }), 400, { param: 'messages' });
    await expectError(
      await h.post('/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] }),
      400,
      {
        param: 'messages[0].content[0].type',
        message: expect.stringContaining('"input_audio" is not supported'),
      },
    );
    await expectError(await h.post('/v1/chat/completions', [1, 2]), 400, { message: 'The request body must be a JSON object.' });
  });

  it('400 for an image sent to a model that does not accept images', async () => {
    const image = { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } };
    await expectError(
      await h.post('/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: [{ type: 'text', text: 'what?' }, image] }] }),
      400,
      {
        param: 'messages[0].content[1]',
        code: 'image_not_supported',
        message: "Model 'chat' does not accept images.",
      },
    );
  });

  it('404 model_not_found for an unknown model, and for an unknown URL', async () => {
    await expectError(await h.post('/v1/chat/completions', { model: 'gpt-9', messages: [{ role: 'user', content: 'x' }] }), 404, {
      code: 'model_not_found',
      param: 'model',
    });
    await expectError(await h.post('/v1/embeddingz', {}), 404, { code: 'unknown_url' });
  });

  it('413 for a body over the limit', async () => {
    const big = { model: 'chat', messages: [{ role: 'user', content: 'x'.repeat(4096) }] };
    await expectError(await h.post('/v1/chat/completions', big), 413, { code: 'request_too_large' });
  });
});

describe('a gateway whose AWS credentials SageMaker does not accept', () => {
  let h: Harness;
  beforeAll(async () => {
    // SageMaker knows this access key with another secret: every signature the gateway makes is wrong.
    h = await startHarness(CONFIG, (e) => e.addEndpoint('chat-endpoint', openAIChatContainer()), {
      sageMakerCredentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID!, secretAccessKey: 'not-the-gateways-secret' },
    });
  });
  afterAll(() => h.close());

  it('answers 502 naming the signature failure, streaming or not, and never reaches the container', async () => {
    const messages = [{ role: 'user' as const, content: 'hi' }];
    for (const stream of [false, true]) {
      const error = await errorOf(h.client().chat.completions.create({ model: 'chat', messages, stream }));
      expect(error.status).toBe(502);
      expect(error.error).toMatchObject({ code: 'upstream_misconfigured', message: expect.stringContaining('InvalidSignatureException') });
    }
    expect(h.emulator.invocations).toHaveLength(0);
  });
});
