import Anthropic from '@anthropic-ai/sdk';
import { parseConfig } from '../../config/load.js';
import { dayOf } from '../../lambda/dynamodb/table-layout.js';
import { pricesOf } from '../../lambda/upstreams/index.js';
import { createUsage } from '../../lambda/usage/usage.js';
import { MemoryUsageStore } from '../../lambda/usage/usage-store.js';
import { AnthropicApiEmulator } from '../../local/emulators/anthropic-api.js';
import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import { type Harness, startHarness } from '../support/harness.js';

/**
 * `/v1/messages` to a model on hosted Anthropic (LiteLLM's `anthropic/` prefix): the request goes to
 * Anthropic's own Messages API as the client sent it (only the model name is Anthropic's), and the
 * answer comes back as Anthropic sent it, metered from its usage: nothing is translated twice. The
 * caller is the official Anthropic SDK; the upstream is a stand-in of Anthropic's API, moved by
 * LiteLLM's ANTHROPIC_API_BASE. A group that can fall back to a model elsewhere is translated instead.
 */
const UPSTREAM_KEY = 'sk-ant-upstream-key';
const REPLY = 'Relayed as Anthropic wrote it.';
const upstream = new AnthropicApiEmulator(UPSTREAM_KEY, REPLY);
const store = new MemoryUsageStore();
let h: Harness;
const CONFIG = `
model_list:
  - model_name: claude-sonnet
    litellm_params: { model: anthropic/claude-sonnet-4-5, api_key: ${UPSTREAM_KEY} }
  - model_name: claude-or-coder
    litellm_params: { model: anthropic/claude-haiku-4-5, api_key: ${UPSTREAM_KEY} }
  - model_name: coder
    litellm_params: { model: sagemaker_chat/coder-ep }
router_settings:
  fallbacks: [{ claude-or-coder: [coder] }]
  model_group_alias: { claude-haiku-4-5-20251001: claude-sonnet }
general_settings:
  master_key: sk-gateway
`;

const client = (options: ConstructorParameters<typeof Anthropic>[0] = {}) =>
  new Anthropic({ baseURL: h.gateway.url, apiKey: 'sk-gateway', maxRetries: 0, ...options });
const ask = { max_tokens: 100, messages: [{ role: 'user' as const, content: 'Say something' }] };
const lastRequest = () => upstream.requests.at(-1)!;

beforeAll(async () => {
  const env = { ANTHROPIC_API_BASE: await upstream.start() };
  const config = parseConfig(CONFIG, 'test config', { ...process.env, ...env });
  const usage = createUsage({ models: config.models, usage: config.usage }, store, pricesOf);
  h = await startHarness(CONFIG, (e) => e.addEndpoint('coder-ep', openAIChatContainer({ reply: () => 'From the coder.' })), {
    env,
    overrides: { usage },
  });
});
afterAll(async () => {
  await h.close();
  await upstream.stop();
});

describe('a model on hosted Anthropic is relayed natively', () => {
  it("sends the client's request to Anthropic's Messages API as it came, with the gateway's key and Anthropic's model name", async () => {
    const message = await client().messages.create(
      {
        model: 'claude-sonnet',
        ...ask,
        system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
        metadata: { user_id: 'user-7' },
        output_config: { effort: 'low' },
      },
      { headers: { 'anthropic-beta': 'prompt-caching-2024-07-31' } },
    );
    const sent = lastRequest();
    expect(sent.path).toBe('/v1/messages');
    expect(sent.headers['x-api-key']).toBe(UPSTREAM_KEY);
    expect(sent.headers.authorization).toBeUndefined();
    // The API version the client speaks (the SDK's own), as it sent it.
    expect(sent.headers['anthropic-version']).toMatch(/^\d{4}-\d\d-\d\d$/);
    expect(sent.headers['anthropic-beta']).toBe('prompt-caching-2024-07-31');
    // Every field as the client wrote it (cache_control too, which only Anthropic can honour); the model is Anthropic's.
    expect(sent.body).toEqual({
      model: 'claude-sonnet-4-5',
      ...ask,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      metadata: { user_id: 'user-7' },
      output_config: { effort: 'low' },
      stream: false,
    });
    // Anthropic's message, untouched: its id, its model, its usage with the cache counts.
    expect(message).toMatchObject({ id: 'msg_emulated01', model: 'claude-sonnet-4-5', stop_reason: 'end_turn' });
    expect(message.content).toEqual([{ type: 'text', text: REPLY }]);
    expect(message.usage.cache_read_input_tokens).toBe(0);
  });

  it("streams Anthropic's events as they came, and the SDK builds the same message from them", async () => {
    const response = await h.post(
      '/v1/messages',
      { model: 'claude-sonnet', ...ask, stream: true },
      { 'x-api-key': 'sk-gateway', 'anthropic-version': '2023-06-01' },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await response.text();
    const names = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(names).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      ...REPLY.split(' ').map(() => 'content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(text).toContain('"id":"msg_emulated01"');
    const final = await client()
      .messages.stream({ model: 'claude-sonnet', ...ask })
      .finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: REPLY }]);
    expect(final.id).toBe('msg_emulated01');
  });

  it('relays a tool call and its result round trip, and fields the translated path refuses (container)', async () => {
    const tools = [
      { name: 'get_weather', description: 'Weather', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } },
    ];
    const first = await client()
      .messages.stream({ model: 'claude-sonnet', ...ask, tools, messages: [{ role: 'user', content: 'use a tool' }] })
      .finalMessage();
    expect(first.stop_reason).toBe('tool_use');
    const call = first.content[0] as { type: string; id: string; input: unknown };
    expect(call).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } });
    const second = await client().messages.create({
      model: 'claude-sonnet',
      ...ask,
      tools,
      messages: [
        { role: 'user', content: 'use a tool' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'Sunny, 21 °C' }] },
      ],
    });
    expect(second.content).toEqual([{ type: 'text', text: REPLY }]);
    expect(JSON.stringify(lastRequest().body.messages)).toContain('Sunny, 21 °C');
    const withContainer = await h.post(
      '/v1/messages',
      { model: 'claude-sonnet', ...ask, container: 'container_abc' },
      { 'x-api-key': 'sk-gateway', 'anthropic-version': '2023-06-01' },
    );
    expect(withContainer.status).toBe(200);
    expect(lastRequest().body.container).toBe('container_abc');
    // A caller that names no version gets the one every Messages request must name.
    const unversioned = await h.post('/v1/messages', { model: 'claude-sonnet', ...ask }, { 'x-api-key': 'sk-gateway' });
    expect(unversioned.status).toBe(200);
    expect(lastRequest().headers['anthropic-version']).toBe('2023-06-01');
  });

  it("maps Claude Code's own model id onto the group by model_group_alias, and relays it", async () => {
    const message = await client().messages.create({ model: 'claude-haiku-4-5-20251001', ...ask });
    expect(message.id).toBe('msg_emulated01');
    expect(lastRequest().body.model).toBe('claude-sonnet-4-5');
  });

  it("gives Anthropic's errors as the SDK's typed exceptions: overloaded (529), a bad request with Anthropic's message (400)", async () => {
    upstream.failNext({ status: 529, type: 'overloaded_error', message: 'Overloaded' });
    const overloaded = await client()
      .messages.create({ model: 'claude-sonnet', ...ask })
      .catch((e: unknown) => e);
    expect(overloaded).toBeInstanceOf(Anthropic.APIError);
    expect((overloaded as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect((overloaded as { error: { error: { type: string } } }).error.error.type).toBe('overloaded_error');
    upstream.failNext({ status: 400, type: 'invalid_request_error', message: 'messages.0.content: unexpected block type' });
    const rejected = await client()
      .messages.create({ model: 'claude-sonnet', ...ask })
      .catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(Anthropic.BadRequestError);
    expect(String((rejected as Error).message)).toContain('messages.0.content: unexpected block type');
    // What every request needs is checked before anything is sent.
    const before = upstream.requests.length;
    const missing = await client()
      .messages.create({ model: 'claude-sonnet', messages: ask.messages } as never)
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Anthropic.BadRequestError);
    expect(String((missing as Error).message)).toContain('max_tokens');
    expect(upstream.requests.length).toBe(before);
  });

  it("ends a stream with Anthropic's own error event when Anthropic fails midway, and the SDK raises it", async () => {
    upstream.failNext({ status: 200, type: 'overloaded_error', message: 'Overloaded midway', afterEvents: 4 });
    const stream = client().messages.stream({ model: 'claude-sonnet', ...ask });
    const failure = await stream.finalMessage().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Anthropic.APIError);
    expect(String((failure as Error).message)).toContain('Overloaded midway');
  });

  it('meters what Anthropic reported (cached prompt tokens included) at its list price, on a row that says the Messages API', async () => {
    await h.gateway.settled();
    const [counted] = await store.rows(dayOf(Date.now()));
    const before = { ...counted!, by_api: { ...counted!.by_api } };
    const cached = { ...ask, system: [{ type: 'text' as const, text: 'Long context.', cache_control: { type: 'ephemeral' as const } }] };
    const messages = [
      { role: 'user' as const, content: [{ type: 'text' as const, text: 'Say something', cache_control: { type: 'ephemeral' as const } }] },
    ];
    const whole = await client().messages.create({ model: 'claude-sonnet', ...cached, messages });
    const streamed = await client()
      .messages.stream({ model: 'claude-sonnet', ...cached, messages })
      .finalMessage();
    expect(whole.usage.cache_read_input_tokens).toBeGreaterThan(0);
    await h.gateway.settled();
    const [row, ...others] = await store.rows(dayOf(Date.now()));
    expect(others).toEqual([]);
    const prompt = (m: typeof whole) => m.usage.input_tokens + (m.usage.cache_read_input_tokens ?? 0) + (m.usage.cache_creation_input_tokens ?? 0);
    expect(row!.model).toBe('claude-sonnet');
    expect(row!.requests - before.requests).toBe(2);
    expect(row!.by_api.messages! - before.by_api.messages!).toBe(2);
    expect(row!.prompt_tokens - before.prompt_tokens).toBe(prompt(whole) + prompt(streamed));
    expect(row!.completion_tokens - before.completion_tokens).toBe(whole.usage.output_tokens + streamed.usage.output_tokens);
    // claude-sonnet-4-5's list price: $3 / $15 per million tokens.
    const cost = (prompt(whole) + prompt(streamed)) * 3e-6 + (whole.usage.output_tokens + streamed.usage.output_tokens) * 15e-6;
    expect(row!.cost - before.cost).toBeCloseTo(cost, 12);
    expect(row!.estimated_requests).toBe(0);
  });
});

describe('a group that can fall back to a model elsewhere', () => {
  it("is translated, so its fallback can answer in Anthropic's shape", async () => {
    const { data: message, response } = await client()
      .messages.create({ model: 'claude-or-coder', ...ask })
      .withResponse();
    // Anthropic's OpenAI-compatible route is not served by the stand-in: the group fails over to the SageMaker model.
    expect(lastRequest().path).toBe('/v1/chat/completions');
    expect(response.headers.get('x-sagegate-fallback')).toBe('coder');
    expect(message.content).toEqual([{ type: 'text', text: 'From the coder.' }]);
    expect(message.id).not.toBe('msg_emulated01');
  });
});
