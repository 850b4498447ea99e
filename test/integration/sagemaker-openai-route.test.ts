import type OpenAI from 'openai';
import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import { NO_CAPACITY_MESSAGE } from '../../local/emulators/sagemaker-runtime.js';
import { errorOf, type Harness, startHarness } from '../support/harness.js';

/** SageMaker's OpenAI-compatible route (`route: openai`) against the emulator, which checks every token's signature. */
const CONFIG = `
models:
  - { name: native, endpoint: vllm-endpoint, route: openai }
  - { name: served, endpoint: served-endpoint, route: openai, served_model_name: Qwen/Qwen3-4B }
  - { name: lines, endpoint: lines-endpoint, route: openai }
  - { name: component, endpoint: shared-endpoint, inference_component: qwen-ic, route: openai }
  - { name: component-classic, endpoint: shared-endpoint, inference_component: qwen-ic }
  - { name: signed, endpoint: vllm-endpoint, route: openai, route_auth: sigv4 }
  - { name: rejecting, endpoint: rejecting-endpoint, route: openai }
  - { name: missing, endpoint: no-such-endpoint, route: openai }
  - { name: slow, endpoint: slow-endpoint, route: openai }
  - { name: echo, endpoint: echo-endpoint, route: openai }
  - { name: strict, endpoint: strict-endpoint, route: openai }
`;

describe("SageMaker's OpenAI-compatible route", () => {
  let h: Harness;
  const ask = (model: string, extra: object = {}) =>
    h.client().chat.completions.create({ model, messages: [{ role: 'user', content: 'bonjour' }], ...extra }) as Promise<unknown>;
  const last = () => h.emulator.invocations.at(-1)!;

  beforeAll(async () => {
    h = await startHarness(CONFIG, (e) => {
      e.addEndpoint('vllm-endpoint', openAIChatContainer());
      e.addEndpoint('served-endpoint', openAIChatContainer({ servedModelName: 'Qwen/Qwen3-4B' }));
      e.addEndpoint('lines-endpoint', openAIChatContainer({ framing: 'jsonlines' }));
      e.addEndpoint('shared-endpoint', { container: openAIChatContainer(), inferenceComponents: ['qwen-ic'] });
      e.addEndpoint('rejecting-endpoint', () => ({
        status: 400,
        body: { object: 'error', message: "This model's maximum context length is 4096 tokens.", type: 'BadRequestError', code: 400 },
      }));
      e.addEndpoint('slow-endpoint', openAIChatContainer({ tokenDelayMs: 200 }));
      // vLLM's own refusal, which the route returns as it is (status and body).
      e.addEndpoint('strict-endpoint', () => ({
        status: 400,
        body: { error: { message: 'max_tokens must be at least 1, got 0.', type: 'BadRequestError', param: null, code: 400 } },
      }));
      // A container whose own 400 quotes SageMaker's cold-start text.
      e.addEndpoint('echo-endpoint', () => ({ status: 400, body: { error: { message: NO_CAPACITY_MESSAGE, type: 'BadRequestError', code: 400 } } }));
    });
  });
  afterAll(() => h.close());

  it('answers a chat through /endpoints/<name>/openai/v1/chat/completions with a bearer token, sending model ""', async () => {
    const answer = (await ask('native')) as OpenAI.ChatCompletion;
    expect(answer.choices[0]!.message.content).toContain('You said: "bonjour"');
    expect(answer.model).toBe('native');
    const call = last();
    expect(call).toMatchObject({ endpoint: 'vllm-endpoint', route: 'openai', auth: 'bearer_token', accessKeyId: process.env.AWS_ACCESS_KEY_ID });
    expect(String(call.headers.authorization)).toMatch(/^Bearer sagemaker-api-key-[A-Za-z0-9+/=]+$/);
    expect(JSON.parse(call.body.toString()).model).toBe('');
  });

  it('sends the served model name when one is configured', async () => {
    await ask('served');
    expect(JSON.parse(last().body.toString()).model).toBe('Qwen/Qwen3-4B');
  });

  it('relays SSE and JSON-lines streams to the official client, with usage', async () => {
    for (const model of ['native', 'lines']) {
      const stream = await h.client().chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'stream me' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let usage: OpenAI.CompletionUsage | null | undefined;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        usage = chunk.usage ?? usage;
      }
      expect(text).toContain('You said: "stream me"');
      expect(usage?.completion_tokens).toBeGreaterThan(0);
      expect(last()).toMatchObject({ route: 'openai', stream: true });
    }
  });

  it('reuses one token across calls (it is minted once, not per request)', async () => {
    await ask('native');
    const first = last().headers.authorization;
    await ask('native');
    expect(last().headers.authorization).toBe(first);
  });

  it('puts the inference component in the path, never in a header', async () => {
    await ask('component');
    expect(last()).toMatchObject({ endpoint: 'shared-endpoint', inferenceComponent: 'qwen-ic', route: 'openai' });
    expect(last().headers['x-amzn-sagemaker-inference-component']).toBeUndefined();
  });

  it('signs with SigV4 instead when route_auth is sigv4', async () => {
    await ask('signed');
    expect(last()).toMatchObject({ route: 'openai', auth: 'sigv4', accessKeyId: process.env.AWS_ACCESS_KEY_ID });
    expect(String(last().headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=/);
  });

  it("passes a container's refusal on as a 400 with the container's own message, without SageMaker's account id", async () => {
    const error = await errorOf(ask('rejecting'));
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({ code: 'model_rejected_request' });
    expect(error.message).toContain("This model's maximum context length is 4096 tokens.");
    expect(error.message).not.toContain(h.emulator.account);
  });

  it("takes vLLM's own 400, returned as it is by the route, for the client's mistake: a 400 every time, never a broken deployment", async () => {
    for (let i = 0; i < 3; i++) {
      const error = await errorOf(ask('strict'));
      expect(error.status).toBe(400);
      expect(error.error).toMatchObject({ code: 'model_rejected_request' });
      expect(error.message).toContain('max_tokens must be at least 1, got 0.');
    }
  });

  it('reports a missing endpoint as the gateway misconfiguration it is, without the account id', async () => {
    const error = await errorOf(ask('missing'));
    expect(error.status).toBe(502);
    expect(error.error).toMatchObject({ code: 'upstream_misconfigured' });
    expect(error.message).not.toContain(h.emulator.account);
  });

  it('says a component scaled to zero is starting (503, Retry-After, its name) on both routes, then serves', async () => {
    for (const model of ['component', 'component-classic']) {
      h.emulator.coldStart('qwen-ic', { calls: 1 });
      const error = await errorOf(ask(model));
      expect(error.status).toBe(503);
      expect(error.headers?.get('retry-after')).toBe('30');
      expect(error.error).toMatchObject({ code: 'model_starting', type: 'api_error' });
      expect(error.message).toContain("inference component 'qwen-ic'");
      expect(error.message).toContain('starting');
      await expect(ask(model)).resolves.toMatchObject({ object: 'chat.completion' });
    }
  });

  it('keeps answering 503 for as long as the component has no capacity', async () => {
    h.emulator.coldStart('qwen-ic', { seconds: 60 });
    for (let i = 0; i < 3; i++) expect((await errorOf(ask('component', { stream: true }))).status).toBe(503);
    h.emulator.coldStart('qwen-ic', { calls: 0 });
    await expect(ask('component')).resolves.toMatchObject({ object: 'chat.completion' });
  });

  it('never takes a container quoting the no-capacity text for a cold start', async () => {
    const error = await errorOf(ask('echo'));
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({ code: 'model_rejected_request' });
  });

  it('cuts the upstream stream when the client goes away', async () => {
    const before = h.emulator.cancelledStreams;
    const stream = await h
      .client()
      .chat.completions.create({ model: 'slow', messages: [{ role: 'user', content: 'a long answer please' }], stream: true });
    for await (const _chunk of stream) break;
    const deadline = Date.now() + 5000;
    while (h.emulator.cancelledStreams === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(h.emulator.cancelledStreams).toBe(before + 1);
  });
});

describe('bearer tokens the route refuses', () => {
  it('are refused when signed with other credentials: the client gets a 502, not a hang', async () => {
    const h = await startHarness(
      'models: [{ name: native, endpoint: vllm-endpoint, route: openai }]',
      (e) => e.addEndpoint('vllm-endpoint', openAIChatContainer()),
      { sageMakerCredentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID!, secretAccessKey: 'another-secret' } },
    );
    try {
      const error = await errorOf(h.client().chat.completions.create({ model: 'native', messages: [{ role: 'user', content: 'hi' }] }));
      expect(error.status).toBe(502);
      expect(error.error).toMatchObject({ code: 'upstream_misconfigured' });
      expect(error.message).toContain('sagemaker:CallWithBearerToken');
    } finally {
      await h.close();
    }
  });

  it('are refused when signed for another region', async () => {
    const h = await startHarness('models: [{ name: native, endpoint: vllm-endpoint, route: openai, region: eu-west-3 }]', (e) => {
      e.addEndpoint('vllm-endpoint', openAIChatContainer());
      e.region = 'eu-west-3';
    });
    try {
      await expect(h.client().chat.completions.create({ model: 'native', messages: [{ role: 'user', content: 'hi' }] })).resolves.toBeTruthy();
      // The same (cached) eu-west-3 token, now presented to a SageMaker in another region.
      h.emulator.region = 'us-west-2';
      const error = await errorOf(h.client().chat.completions.create({ model: 'native', messages: [{ role: 'user', content: 'hi' }] }));
      expect(error.status).toBe(502);
    } finally {
      await h.close();
    }
  });
});
