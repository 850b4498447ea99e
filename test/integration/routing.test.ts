import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import { OpenAIUpstreamEmulator } from '../../local/emulators/openai-upstream.js';
import type { Container, SageMakerRuntimeEmulator } from '../../local/emulators/sagemaker-runtime.js';
import { errorOf, type Harness, sseEvents, startHarness } from '../support/harness.js';

/**
 * LiteLLM's router, as a LiteLLM user configures it: model groups of several deployments, load
 * spread, retries, cooldowns, timeouts, fallbacks, and no switching once the answer has started.
 * Deployments are SageMaker endpoints on the emulator, each answering with its own name.
 */
const from = (endpoint: string): Container => openAIChatContainer({ reply: () => `from ${endpoint}` });
const ask = (content = 'hi') => ({ messages: [{ role: 'user' as const, content }] });
const chunk = (text: string) =>
  `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`;

/** Calls to each endpoint since `since`. */
const callsTo = (emulator: SageMakerRuntimeEmulator, endpoint: string, since = 0) =>
  emulator.invocations.slice(since).filter((i) => i.endpoint === endpoint).length;

async function completion(h: Harness, model: string, content = 'hi') {
  const { data, response } = await h
    .client()
    .chat.completions.create({ model, ...ask(content) })
    .withResponse();
  return {
    text: data.choices[0]!.message.content,
    model: data.model,
    deployment: response.headers.get('x-sagegate-deployment'),
    fallback: response.headers.get('x-sagegate-fallback'),
    attempts: response.headers.get('x-sagegate-attempts'),
  };
}

describe('load spread over a model group', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      `
model_list:
  - { model_name: shuffle, litellm_params: { model: sagemaker_chat/s-light, weight: 1 } }
  - { model_name: shuffle, litellm_params: { model: sagemaker_chat/s-heavy, weight: 3 } }
  - { model_name: busy, litellm_params: { model: sagemaker_chat/b-1 } }
  - { model_name: busy, litellm_params: { model: sagemaker_chat/b-2 } }
  - { model_name: even, litellm_params: { model: sagemaker_chat/e-1 }, model_info: { id: even-one } }
  - { model_name: even, litellm_params: { model: sagemaker_chat/e-2 }, model_info: { id: even-two } }
router_settings:
  routing_strategy: simple-shuffle
`,
      (e) => {
        for (const endpoint of ['s-light', 's-heavy', 'e-1', 'e-2']) e.addEndpoint(endpoint, from(endpoint));
        for (const endpoint of ['b-1', 'b-2'])
          e.addEndpoint(endpoint, openAIChatContainer({ reply: () => `from ${endpoint} slowly`, tokenDelayMs: 150 }));
      },
    );
  });
  afterAll(() => h.close());

  it('honours weights under simple-shuffle, and answers under the name asked for', async () => {
    const since = h.emulator.invocations.length;
    const answers = await Promise.all(Array.from({ length: 120 }, () => completion(h, 'shuffle')));
    expect(new Set(answers.map((a) => a.model))).toEqual(new Set(['shuffle']));
    const heavy = callsTo(h.emulator, 's-heavy', since);
    // 3:1 expected (90 of 120); far from even, with room for chance.
    expect(heavy).toBeGreaterThan(70);
    expect(heavy).toBeLessThan(110);
    expect(answers.filter((a) => a.deployment === 'shuffle-2').length).toBe(heavy);
  });

  it('spreads evenly without weights, and names deployments by model_info.id', async () => {
    const answers = await Promise.all(Array.from({ length: 60 }, () => completion(h, 'even')));
    const ones = answers.filter((a) => a.deployment === 'even-one').length;
    expect(ones).toBeGreaterThan(12);
    expect(ones).toBeLessThan(48);
    expect(answers.every((a) => a.text === `from ${a.deployment === 'even-one' ? 'e-1' : 'e-2'}`)).toBe(true);
  });

  it('lists each group once in /v1/models, with its deployments', async () => {
    const models = await h.client().models.list();
    expect(models.data.map((m) => m.id)).toEqual(['shuffle', 'busy', 'even']);
    expect((models.data[2] as unknown as { deployments: unknown }).deployments).toEqual([{ id: 'even-one' }, { id: 'even-two' }]);
  });
});

describe('least-busy routing', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      `
models:
  - { name: busy, endpoint: b-1 }
  - { name: busy, endpoint: b-2 }
router: { routing_strategy: least-busy }
`,
      (e) => {
        for (const endpoint of ['b-1', 'b-2'])
          e.addEndpoint(endpoint, openAIChatContainer({ reply: () => `from ${endpoint} with many words to stream`, tokenDelayMs: 100 }));
      },
    );
  });
  afterAll(() => h.close());

  it('least-busy sends the next request to the deployment with fewer in flight', async () => {
    const held = await h
      .client()
      .chat.completions.create({ model: 'busy', ...ask(), stream: true })
      .withResponse();
    const busyOne = held.response.headers.get('x-sagegate-deployment');
    const next = await completion(h, 'busy');
    expect(next.deployment).not.toBe(busyOne);
    for await (const _ of held.data);
  });
});

describe('latency-based routing', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      `
models:
  - { name: quick, endpoint: slow }
  - { name: quick, endpoint: fast }
router: { routing_strategy: latency-based-routing }
`,
      (e) => {
        e.addEndpoint('slow', async (invocation) => {
          await new Promise((resolve) => setTimeout(resolve, 120));
          return from('slow')(invocation);
        });
        e.addEndpoint('fast', from('fast'));
      },
    );
  });
  afterAll(() => h.close());

  it('measures each deployment, then prefers the one with the lowest time to first token', async () => {
    // Deployments not yet measured go first, so two requests measure both.
    const measured = new Set([(await completion(h, 'quick')).text, (await completion(h, 'quick')).text]);
    expect(measured).toEqual(new Set(['from slow', 'from fast']));
    const since = h.emulator.invocations.length;
    for (let i = 0; i < 8; i++) await completion(h, 'quick');
    expect(callsTo(h.emulator, 'fast', since)).toBe(8);
  });
});

describe('retries, cooldowns and timeouts', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      `
model_list:
  - { model_name: flaky, litellm_params: { model: sagemaker_chat/flaky-1 } }
  - { model_name: flaky, litellm_params: { model: sagemaker_chat/flaky-2 } }
  - { model_name: solo, litellm_params: { model: sagemaker_chat/solo } }
  - { model_name: picky, litellm_params: { model: sagemaker_chat/picky-1 } }
  - { model_name: picky, litellm_params: { model: sagemaker_chat/picky-2 } }
  - { model_name: slow-start, litellm_params: { model: sagemaker_chat/stuck, stream_timeout: 0.3 } }
  - { model_name: slow-start, litellm_params: { model: sagemaker_chat/prompt } }
  - { model_name: slow-whole, litellm_params: { model: sagemaker_chat/stuck-whole, timeout: 0.3 } }
  - { model_name: slow-whole, litellm_params: { model: sagemaker_chat/prompt-whole } }
  - { model_name: breaks, litellm_params: { model: sagemaker_chat/breaks-1 } }
  - { model_name: breaks, litellm_params: { model: sagemaker_chat/breaks-2 } }
router_settings:
  num_retries: 2
  allowed_fails: 1
  cooldown_time: 30
`,
      (e) => {
        for (const endpoint of ['flaky-1', 'flaky-2', 'solo', 'prompt', 'prompt-whole', 'breaks-2']) e.addEndpoint(endpoint, from(endpoint));
        for (const endpoint of ['picky-1', 'picky-2'])
          e.addEndpoint(endpoint, () => ({
            status: 422,
            body: { error: 'Input validation error: `temperature` must be strictly positive', error_type: 'validation' },
          }));
        e.addEndpoint('stuck', () => ({ stream: [{ delayMs: 3000 }, chunk('too late')] }));
        e.addEndpoint('stuck-whole', async (invocation) => {
          await new Promise((resolve) => setTimeout(resolve, 3000));
          return from('stuck-whole')(invocation);
        });
        e.addEndpoint('breaks-1', () => ({ stream: [chunk('Half an ans'), { exception: 'ModelStreamError', message: 'the container crashed' }] }));
      },
    );
  });
  afterAll(() => h.close());

  it('retries a 5xx on another deployment of the group', async () => {
    h.emulator.failNext('flaky-1', 'InternalFailure', 1);
    h.emulator.failNext('flaky-2', 'InternalFailure', 1);
    // Whichever goes first fails once; the retry goes to the other, which has failed its one time too
    // only if it went first: two failures at most, then an answer.
    const answer = await completion(h, 'flaky');
    expect(answer.text).toMatch(/^from flaky-[12]$/);
    expect(Number(answer.attempts)).toBeGreaterThanOrEqual(2);
  });

  it('never retries what the client caused (a container 4xx): one call, a 400', async () => {
    const since = h.emulator.invocations.length;
    const error = await errorOf(h.client().chat.completions.create({ model: 'picky', ...ask() }));
    expect(error.status).toBe(400);
    expect(h.emulator.invocations.length - since).toBe(1);
  });

  it('cools a deployment down after more than allowed_fails failures in a minute, and says so in /health/models', async () => {
    h.emulator.failNext('solo', 'ServiceUnavailable', 2);
    // solo is a group of one: with num_retries 2 its two failures are retried on itself (after a backoff).
    const answer = await completion(h, 'solo');
    expect(answer.text).toBe('from solo');
    const health = await (await fetch(`${h.gateway.url}/health/models`, { headers: { authorization: 'Bearer x' } })).json();
    expect(health.data.find((d: { deployment: string }) => d.deployment === 'solo')).toMatchObject({
      model: 'solo',
      state: 'cooling_down',
      failures_last_minute: 2,
    });
    expect(health.data.find((d: { deployment: string }) => d.deployment === 'flaky-2')).toMatchObject({ provider: 'sagemaker', endpoint: 'flaky-2' });
  });

  it('skips a deployment that throttled (cooled down at once) for the next requests', async () => {
    // Twice: the SDK retries a passing throttle once itself.
    h.emulator.failNext('flaky-1', 'ThrottlingException', 2);
    const before = h.emulator.invocations.length;
    for (let i = 0; i < 20 && callsTo(h.emulator, 'flaky-1', before) === 0; i++) expect((await completion(h, 'flaky')).text).toBe('from flaky-2');
    expect(callsTo(h.emulator, 'flaky-1', before)).toBe(2);
    const since = h.emulator.invocations.length;
    for (let i = 0; i < 6; i++) await completion(h, 'flaky');
    expect(callsTo(h.emulator, 'flaky-1', since)).toBe(0);
  });

  it('times out a deployment silent past stream_timeout, cancels it, and streams from another', async () => {
    const cancelled = h.emulator.cancelledStreams;
    let stuckFirst = false;
    for (let i = 0; i < 12 && !stuckFirst; i++) {
      const since = h.emulator.invocations.length;
      const stream = await h
        .client()
        .chat.completions.create({ model: 'slow-start', ...ask(), stream: true })
        .withResponse();
      let text = '';
      for await (const part of stream.data) text += part.choices[0]?.delta.content ?? '';
      expect(text).toBe('from prompt');
      stuckFirst = callsTo(h.emulator, 'stuck', since) === 1;
      if (stuckFirst) expect(stream.response.headers.get('x-sagegate-attempts')).toBe('2');
    }
    expect(stuckFirst).toBe(true);
    expect(h.emulator.cancelledStreams).toBeGreaterThan(cancelled);
  });

  it('times out a whole request past timeout and answers from another deployment', async () => {
    let sawTimeout = false;
    for (let i = 0; i < 12 && !sawTimeout; i++) {
      const answer = await completion(h, 'slow-whole');
      expect(answer.text).toBe('from prompt-whole');
      sawTimeout = answer.attempts === '2';
    }
    expect(sawTimeout).toBe(true);
  });

  it('never switches once a byte has gone out: a failure mid-stream is an error event, with one call', async () => {
    for (let i = 0; i < 16; i++) {
      const since = h.emulator.invocations.length;
      const res = await h.post('/v1/chat/completions', { model: 'breaks', ...ask(), stream: true });
      const events = sseEvents(await res.text());
      if (res.headers.get('x-sagegate-deployment') !== 'breaks-1') continue;
      expect(events.some((e) => e.includes('"error"') && e.includes('the container crashed'))).toBe(true);
      expect(events.at(-1)).toBe('[DONE]');
      expect(h.emulator.invocations.length - since).toBe(1);
      return;
    }
    throw new Error('the breaking deployment was never picked');
  });
});

describe('fallbacks', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      `
model_list:
  - { model_name: primary, litellm_params: { model: sagemaker_chat/primary } }
  - { model_name: backup, litellm_params: { model: sagemaker_chat/backup } }
  - { model_name: last-resort, litellm_params: { model: sagemaker_chat/last-resort } }
  - { model_name: small, litellm_params: { model: sagemaker_chat/small } }
  - { model_name: large, litellm_params: { model: sagemaker_chat/large } }
  - { model_name: ping, litellm_params: { model: sagemaker_chat/ping } }
  - { model_name: pong, litellm_params: { model: sagemaker_chat/pong } }
  - { model_name: lonely, litellm_params: { model: sagemaker_chat/lonely } }
router_settings:
  fallbacks: [{ primary: [backup, last-resort] }, { ping: [pong] }, { pong: [ping] }]
  context_window_fallbacks: [{ small: [large] }]
  default_fallbacks: [last-resort]
`,
      (e) => {
        for (const endpoint of ['primary', 'backup', 'last-resort', 'large', 'ping', 'pong', 'lonely']) e.addEndpoint(endpoint, from(endpoint));
        e.addEndpoint('small', () => ({
          status: 400,
          body: {
            error: {
              message: "This model's maximum context length is 4096 tokens. However, you requested 9000 tokens.",
              type: 'BadRequestError',
              code: 400,
            },
          },
        }));
      },
    );
  });
  afterAll(() => h.close());

  it('tries the listed groups in order when a group fails, under the name asked for', async () => {
    h.emulator.failNext('primary', 'InternalFailure', 1);
    h.emulator.failNext('backup', 'InternalFailure', 1);
    const answer = await completion(h, 'primary');
    expect(answer).toMatchObject({ text: 'from last-resort', model: 'primary', deployment: 'last-resort', fallback: 'last-resort', attempts: '3' });
  });

  it('falls back a stream that fails before its first byte', async () => {
    h.emulator.failNext('primary', 'ServiceUnavailable', 1);
    const stream = await h
      .client()
      .chat.completions.create({ model: 'primary', ...ask(), stream: true })
      .withResponse();
    let text = '';
    for await (const part of stream.data) {
      expect(part.model).toBe('primary');
      text += part.choices[0]?.delta.content ?? '';
    }
    expect(text).toBe('from backup');
    expect(stream.response.headers.get('x-sagegate-fallback')).toBe('backup');
  });

  it('uses context_window_fallbacks only when the container says the prompt is too long', async () => {
    expect(await completion(h, 'small')).toMatchObject({ text: 'from large', fallback: 'large' });
    // A plain failure of large does not go back to small, nor anywhere but the default fallback.
    h.emulator.failNext('large', 'InternalFailure', 1);
    expect(await completion(h, 'large')).toMatchObject({ text: 'from last-resort', fallback: 'last-resort' });
  });

  it('applies default_fallbacks to groups without their own', async () => {
    h.emulator.failNext('lonely', 'InternalDependencyException', 1);
    expect(await completion(h, 'lonely')).toMatchObject({ text: 'from last-resort', fallback: 'last-resort' });
  });

  it('does not loop through fallbacks that lead back, and answers the last failure naming the group', async () => {
    h.emulator.failNext('ping', 'InternalFailure', 5);
    h.emulator.failNext('pong', 'InternalFailure', 5);
    h.emulator.failNext('last-resort', 'InternalFailure', 5);
    const since = h.emulator.invocations.length;
    const error = await errorOf(h.client().chat.completions.create({ model: 'ping', ...ask() }));
    expect(error.status).toBe(502);
    expect(error.message).toContain("Model 'ping' could not answer");
    // ping, then pong (whose fallback ping was already tried): two calls, no loop.
    expect(h.emulator.invocations.length - since).toBe(2);
    h.emulator.failNext('ping', 'InternalFailure', 0);
    h.emulator.failNext('pong', 'InternalFailure', 0);
    h.emulator.failNext('last-resort', 'InternalFailure', 0);
  });

  it('answers 429 with Retry-After when every attempt was throttled', async () => {
    h.emulator.failNext('primary', 'ThrottlingException', 2);
    h.emulator.failNext('backup', 'ThrottlingException', 2);
    h.emulator.failNext('last-resort', 'ThrottlingException', 2);
    const res = await h.post('/v1/chat/completions', { model: 'primary', ...ask() });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await res.json()).error.message).toContain("Model 'primary' could not answer");
  });
});

describe('hosted and unprefixed upstreams (LiteLLM naming)', () => {
  let openai: OpenAIUpstreamEmulator;
  let anthropic: OpenAIUpstreamEmulator;
  let glm: OpenAIUpstreamEmulator;
  let h: Harness;
  beforeAll(async () => {
    openai = new OpenAIUpstreamEmulator(openAIChatContainer({ reply: () => 'from openai' }), 'sk-openai-env');
    anthropic = new OpenAIUpstreamEmulator(openAIChatContainer({ reply: () => 'from anthropic' }), 'sk-ant-literal');
    glm = new OpenAIUpstreamEmulator(openAIChatContainer({ reply: () => 'from glm' }), 'glm-key');
    const [openaiUrl, anthropicUrl, glmUrl] = await Promise.all([openai.start(), anthropic.start(), glm.start()]);
    h = await startHarness(
      `
model_list:
  - { model_name: glm4-flash, litellm_params: { model: glm-4-flash, api_base: "${glmUrl}", api_key: glm-key } }
  - { model_name: gpt-4, litellm_params: { model: gpt-4, api_key: os.environ/MY_OPENAI_KEY } }
  - { model_name: claude, litellm_params: { model: anthropic/claude-3-5-sonnet, api_key: sk-ant-literal } }
`,
      () => undefined,
      // The hosted providers' base URLs, moved to local stand-ins as LiteLLM's variables move them.
      { env: { OPENAI_API_BASE: openaiUrl, ANTHROPIC_API_BASE: anthropicUrl.replace(/\/v1$/, ''), MY_OPENAI_KEY: 'sk-openai-env' } },
    );
  });
  afterAll(async () => {
    await h.close();
    await Promise.all([openai.stop(), anthropic.stop(), glm.stop()]);
  });

  it('sends an unprefixed model with api_base to that OpenAI-compatible server, with its literal key', async () => {
    expect((await completion(h, 'glm4-flash')).text).toBe('from glm');
    expect(glm.requests.at(-1)).toMatchObject({ body: { model: 'glm-4-flash' }, authorization: 'Bearer glm-key' });
  });

  it('sends gpt-* to OpenAI with the key from os.environ, keeping max_completion_tokens', async () => {
    await h.client().chat.completions.create({ model: 'gpt-4', ...ask(), max_completion_tokens: 20 });
    expect(openai.requests.at(-1)).toMatchObject({ body: { model: 'gpt-4', max_completion_tokens: 20 }, authorization: 'Bearer sk-openai-env' });
    expect(openai.requests.at(-1)!.body).not.toHaveProperty('max_tokens');
  });

  it("sends anthropic/ to Anthropic's OpenAI-compatible endpoint with a Bearer key", async () => {
    expect((await completion(h, 'claude')).text).toBe('from anthropic');
    expect(anthropic.requests.at(-1)).toMatchObject({ body: { model: 'claude-3-5-sonnet' }, authorization: 'Bearer sk-ant-literal' });
  });
});

describe('migrated LiteLLM configs, verbatim', () => {
  it('the first starts and serves glm4-flash behind its master key (the placeholder host cannot be reached: a 502 naming it)', async () => {
    const { readFileSync } = await import('node:fs');
    const h = await startHarness(readFileSync(new URL('../fixtures/configs/litellm-glm.yaml', import.meta.url), 'utf8'), () => undefined);
    try {
      expect((await errorOf(h.client('wrong').models.list())).status).toBe(401);
      const error = await errorOf(h.client('your-master-key').chat.completions.create({ model: 'glm4-flash', ...ask() }));
      expect(error.status).toBe(502);
      expect(error.message).toContain("Could not reach the upstream of model 'glm4-flash' (ENOTFOUND)");
    } finally {
      await h.close();
    }
  });

  it('the second falls back from the unreachable GLM server to gpt-4, then claude-3, in the order written', async () => {
    const { readFileSync } = await import('node:fs');
    const openai = new OpenAIUpstreamEmulator(openAIChatContainer({ reply: () => 'from gpt-4' }), 'sk-your-openai-key');
    const anthropic = new OpenAIUpstreamEmulator(openAIChatContainer({ reply: () => 'from claude-3' }), 'sk-ant-your-anthropic-key');
    const [openaiUrl, anthropicUrl] = await Promise.all([openai.start(), anthropic.start()]);
    const h = await startHarness(readFileSync(new URL('../fixtures/configs/litellm-fallbacks.yaml', import.meta.url), 'utf8'), () => undefined, {
      env: { OPENAI_API_BASE: openaiUrl, ANTHROPIC_API_BASE: anthropicUrl.replace(/\/v1$/, '') },
    });
    try {
      const client = h.client('your-master-key');
      const { data, response } = await client.chat.completions.create({ model: 'glm4-flash', ...ask('what llm are you') }).withResponse();
      expect(data.model).toBe('glm4-flash');
      expect(data.choices[0]!.message.content).toBe('from gpt-4');
      expect(response.headers.get('x-sagegate-fallback')).toBe('gpt-4');
      expect(openai.requests.at(-1)).toMatchObject({ body: { model: 'gpt-4' }, authorization: 'Bearer sk-your-openai-key' });
      await openai.stop();
      const second = await client.chat.completions.create({ model: 'glm4-flash', ...ask() }).withResponse();
      expect(second.data.choices[0]!.message.content).toBe('from claude-3');
      expect(second.response.headers.get('x-sagegate-fallback')).toBe('claude-3');
      expect(anthropic.requests.at(-1)).toMatchObject({
        body: { model: 'claude-3-opus-20240229' },
        authorization: 'Bearer sk-ant-your-anthropic-key',
      });
      expect((await client.models.list()).data.map((m) => m.id)).toEqual(['glm4-flash', 'gpt-4', 'claude-3']);
    } finally {
      await h.close();
      await anthropic.stop();
    }
  });
});
