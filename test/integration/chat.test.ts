import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import { splitEvery } from '../../local/emulators/sagemaker-runtime.js';
import { type Harness, sseEvents, startHarness } from '../support/harness.js';

const CONFIG = `
models:
  - name: qwen-chat
    endpoint: qwen-endpoint
    region: us-east-1
    inference_component: qwen-ic
    target_variant: blue
    custom_attributes: "tenant=a"
    defaults: { temperature: 0.2, max_tokens: 500 }
  - name: vllm-strict
    endpoint: vllm-endpoint
    served_model_name: Qwen/Qwen2.5-7B-Instruct
  - name: lmi-jsonlines
    endpoint: lmi-endpoint
  - name: scripted
    endpoint: scripted-endpoint
  - name: slow
    endpoint: slow-endpoint
  - name: thinking
    endpoint: thinking-endpoint
`;

// A recorded vLLM stream with Chinese and Japanese text, sent as SageMaker would: cut into PayloadParts.
const SCRIPTED_STREAM = [
  'data: {"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n',
  ': keep-alive\n\n',
  'data: {"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"你好，"},"finish_reason":null}]}\n\n',
  'data: {"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"こんにちは🌸"},"finish_reason":null}]}\n\n',
  'data: {"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n',
  'data: {"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":11,"completion_tokens":5,"total_tokens":16}}\n\n',
  'data: [DONE]\n\n',
].join('');

describe('chat completions through the official openai client', () => {
  let h: Harness;
  let splitSize = 0;

  beforeAll(async () => {
    h = await startHarness(CONFIG, (e) => {
      e.addEndpoint('qwen-endpoint', { container: openAIChatContainer(), inferenceComponents: ['qwen-ic'] });
      e.addEndpoint('vllm-endpoint', openAIChatContainer({ servedModelName: 'Qwen/Qwen2.5-7B-Instruct' }));
      e.addEndpoint('lmi-endpoint', openAIChatContainer({ framing: 'jsonlines' }));
      e.addEndpoint('slow-endpoint', openAIChatContainer({ tokenDelayMs: 50, reply: () => 'one two three four five six seven eight nine ten' }));
      // A long prefill: nothing at all for 5 s, then an answer.
      e.addEndpoint('thinking-endpoint', () => ({ stream: [{ delayMs: 5000 }, SCRIPTED_STREAM] }));
      e.addEndpoint('scripted-endpoint', {
        container: () => ({ stream: [SCRIPTED_STREAM] }),
        split: (bytes) => (splitSize ? splitEvery(splitSize)(bytes) : [bytes]),
      });
    });
  });
  afterAll(() => h.close());

  it('answers a non-streaming chat as a chat.completion under the name the client used', async () => {
    const completion = await h.client().chat.completions.create({
      model: 'qwen-chat',
      messages: [{ role: 'user', content: '日本の首都は？' }],
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.model).toBe('qwen-chat');
    expect(completion.choices[0]!.message).toEqual({ role: 'assistant', content: expect.stringContaining('日本の首都は？') });
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.usage).toEqual({ prompt_tokens: expect.any(Number), completion_tokens: 15, total_tokens: expect.any(Number) });
  });

  it('sends the configured defaults, inference component, variant and custom attributes to SageMaker', async () => {
    await h.client().chat.completions.create({
      model: 'qwen-chat',
      messages: [{ role: 'user', content: 'hi' }],
      max_completion_tokens: 3,
      top_p: null,
      // Fields the gateway does not model reach OpenAI-speaking containers.
      ...({ top_k: 5, repetition_penalty: 1.1 } as object),
    });
    const call = h.emulator.invocations.at(-1)!;
    expect(call).toMatchObject({ endpoint: 'qwen-endpoint', inferenceComponent: 'qwen-ic', targetVariant: 'blue', customAttributes: 'tenant=a' });
    const sent = JSON.parse(call.body.toString());
    expect(sent).toEqual({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 3, temperature: 0.2, top_k: 5, repetition_penalty: 1.1 });
  });

  it('streams chat.completion.chunk events with one id, the role first, usage last and [DONE]', async () => {
    const stream = await h.client().chat.completions.create({
      model: 'qwen-chat',
      messages: [{ role: 'user', content: 'stream please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.every((c) => c.model === 'qwen-chat' && c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('Hello from the sagegate demo model (a stand-in, not a real LLM). You said: "stream please"');
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 16 } });
  });

  it('ends every stream with data: [DONE], and sends usage only when asked', async () => {
    const res = await h.post('/v1/chat/completions', { model: 'qwen-chat', stream: true, messages: [{ role: 'user', content: 'x' }] });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    const events = sseEvents(await res.text());
    expect(events.at(-1)).toBe('[DONE]');
    expect(events.slice(0, -1).every((e) => !('usage' in JSON.parse(e)))).toBe(true);
  });

  it.each([1, 2, 3, 7, 64])('relays a stream cut into PayloadParts of %i bytes unchanged (CJK text, emoji)', async (size) => {
    splitSize = size;
    const stream = await h.client().chat.completions.create({
      model: 'scripted',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe('你好，こんにちは🌸');
    expect(usage).toEqual({ prompt_tokens: 11, completion_tokens: 5, total_tokens: 16 });
    splitSize = 0;
  });

  it('reads JSON-lines chat streams without [DONE] (LMI)', async () => {
    const stream = await h
      .client()
      .chat.completions.create({ model: 'lmi-jsonlines', messages: [{ role: 'user', content: 'json lines' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toContain('You said: "json lines"');
  });

  it('sends the served model name a vLLM container insists on', async () => {
    const completion = await h.client().chat.completions.create({ model: 'vllm-strict', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.model).toBe('vllm-strict');
    expect(JSON.parse(h.emulator.invocations.at(-1)!.body.toString()).model).toBe('Qwen/Qwen2.5-7B-Instruct');
  });

  it('honours max_tokens with finish_reason length', async () => {
    const completion = await h.client().chat.completions.create({ model: 'qwen-chat', messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 });
    expect(completion.choices[0]!.message.content).toBe('Hello from');
    expect(completion.choices[0]!.finish_reason).toBe('length');
  });

  it('lists the models, with and without the /v1 prefix, and serves a cheap health check', async () => {
    const models = await h.client().models.list();
    expect(models.data.map((m) => m.id)).toEqual(['qwen-chat', 'vllm-strict', 'lmi-jsonlines', 'scripted', 'slow', 'thinking']);
    expect(models.data[0]).toMatchObject({ object: 'model', owned_by: 'sagegate' });
    const bare = await (await fetch(`${h.gateway.url}/models`)).json();
    expect(bare.data).toHaveLength(6);
    const before = h.emulator.invocations.length;
    expect(await (await fetch(`${h.gateway.url}/health`)).json()).toEqual({ status: 'ok' });
    expect(h.emulator.invocations.length).toBe(before);
  });

  it('accepts /chat/completions without the /v1 prefix', async () => {
    const res = await h.post('/chat/completions', { model: 'qwen-chat', messages: [{ role: 'user', content: 'no prefix' }] });
    expect(res.status).toBe(200);
    expect((await res.json()).choices[0].message.content).toContain('no prefix');
  });

  it('stops the upstream stream when the client goes away', async () => {
    const cancelled = h.emulator.cancelledStreams;
    const controller = new AbortController();
    const res = await fetch(`${h.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'slow', stream: true, messages: [{ role: 'user', content: 'x' }] }),
      signal: controller.signal,
    });
    await res.body!.getReader().read();
    controller.abort();
    await new Promise((r) => setTimeout(r, 300));
    expect(h.emulator.cancelledStreams).toBe(cancelled + 1);
  });

  it('cuts the upstream call at once when the client leaves before the first token', async () => {
    const cancelled = h.emulator.cancelledStreams;
    const controller = new AbortController();
    const started = Date.now();
    const answer = fetch(`${h.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'thinking', stream: true, messages: [{ role: 'user', content: 'x' }] }),
      signal: controller.signal,
    }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    controller.abort();
    await answer;
    while (h.emulator.cancelledStreams === cancelled && Date.now() - started < 4000) await new Promise((r) => setTimeout(r, 20));
    expect(h.emulator.cancelledStreams).toBe(cancelled + 1);
    // Well before the container's first token (5 s): the connection was cut, not left to finish.
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('serves streaming and non-streaming calls interleaved on the same client', async () => {
    const client = h.client();
    for (let i = 0; i < 3; i++) {
      const stream = await client.chat.completions.create({ model: 'qwen-chat', stream: true, messages: [{ role: 'user', content: `s${i}` }] });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      expect(text).toContain(`s${i}`);
      const whole = await client.chat.completions.create({ model: 'qwen-chat', messages: [{ role: 'user', content: `n${i}` }] });
      expect(whole.choices[0]!.message.content).toContain(`n${i}`);
    }
  });
});
