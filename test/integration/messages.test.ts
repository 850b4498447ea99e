import Anthropic from '@anthropic-ai/sdk';
import type { Authenticator } from '../../lambda/auth/authenticator.js';
import { GatewayError } from '../../lambda/core/gateway-error.js';
import { dayOf } from '../../lambda/dynamodb/table-layout.js';
import { openAIChatContainer, type ScriptedAnswer } from '../../local/emulators/openai-chat-container.js';
import { qwenVLContainer } from '../../local/emulators/qwen-vl-container.js';
import { splitEvery } from '../../local/emulators/sagemaker-runtime.js';
import { lmiContainer, tgiContainer } from '../../local/emulators/text-generation-containers.js';
import { type ChildServer, startServer, stopServers } from '../support/child-server.js';
import { type ClaudeRun, claudePrint, installClaudeCode, ProxyTrap } from '../support/claude-code.js';
import { type Harness, startHarness } from '../support/harness.js';
import { solidPng } from '../support/images.js';

/**
 * Anthropic's Messages API through the official `@anthropic-ai/sdk`, against the gateway and the
 * SageMaker emulator with a container of every dialect: messages created and streamed (text, images,
 * a tool round trip, thinking, stop sequences), count_tokens, the model list, and errors as the SDK's
 * typed exceptions. Keys: `sk-scoped` may use `demo` only; `sk-bad` is refused. Then Claude Code
 * headless (`claude -p`) against the README's demo (`npm start`) and against this gateway's aliases.
 */
const CONFIG = `
models:
  - { name: demo, endpoint: demo }
  - { name: vllm, endpoint: vllm }
  - { name: tgi-messages, endpoint: tgi-messages, dialect: tgi-chat }
  - { name: sglang, endpoint: sglang }
  - { name: r1, endpoint: r1, reasoning: true }
  - { name: qwen-tgi, endpoint: qwen-tgi, dialect: tgi-generate, chat_template: chatml }
  - { name: llama-lmi, endpoint: llama-lmi, dialect: lmi-rolling-batch, chat_template: llama3 }
  - { name: mistral-tgi, endpoint: mistral-tgi, dialect: tgi-generate, chat_template: mistral }
  - { name: vision, endpoint: vision, vision: true }
  - { name: breaks, endpoint: breaks }
router:
  model_group_alias:
    claude-sonnet-4-5-20250929: demo
    claude-haiku-4-5-20251001: { model: demo, hidden: true }
`;

const keys: Authenticator = {
  enabled: true,
  warm: () => undefined,
  authenticate: async (key) => {
    if (!key || key === 'sk-bad') throw new GatewayError(401, 'Incorrect API key provided.', { code: 'invalid_api_key' });
    return { keyId: key, ...(key === 'sk-scoped' && { models: new Set(['demo']) }) };
  },
};

const WEATHER: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

/** A model that thinks, calls get_weather for Paris, then reports the result. */
const weatherAnswer = (body: { messages?: { role: string; content: unknown }[]; tools?: unknown[] }): ScriptedAnswer => {
  const last = body.messages?.at(-1);
  if (last?.role === 'tool') return { reasoning: 'The tool answered.', text: `It is ${String(last.content)} in Paris.` };
  if (body.tools?.length) return { reasoning: 'The user wants the weather.', calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] };
  return { reasoning: 'A greeting.', text: 'Hello!' };
};

const familyReply = (call: string) => (prompt: string) => {
  if (/<tool_response>|ipython<\|end_header_id\|>|\[TOOL_RESULTS\]/.test(prompt)) return 'It is sunny in Paris.';
  return prompt.includes('get_weather') ? call : 'Hello!';
};

const chunk = (content: string) =>
  `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness(
    CONFIG,
    (e) => {
      const byte = (container: ReturnType<typeof openAIChatContainer>) => ({ container, split: splitEvery(1) });
      e.addEndpoint('demo', openAIChatContainer());
      e.addEndpoint('vllm', byte(openAIChatContainer({ answer: weatherAnswer, style: { tools: 'openai', reasoning: 'both' } })));
      e.addEndpoint('tgi-messages', byte(openAIChatContainer({ answer: weatherAnswer, style: { tools: 'tgi', reasoning: 'tags' } })));
      e.addEndpoint('sglang', byte(openAIChatContainer({ answer: weatherAnswer, style: { tools: 'text', reasoning: 'tags', pieceChars: 3 } })));
      e.addEndpoint('r1', byte(openAIChatContainer({ answer: weatherAnswer, style: { tools: 'openai', reasoning: 'open', pieceChars: 2 } })));
      e.addEndpoint('qwen-tgi', {
        container: tgiContainer({
          reply: familyReply('<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>'),
          eosToken: '<|im_end|>',
        }),
        split: splitEvery(1),
      });
      e.addEndpoint('llama-lmi', {
        container: lmiContainer({ reply: familyReply('<|python_tag|>{"name": "get_weather", "parameters": {"city": "Paris"}}') }),
        split: splitEvery(1),
      });
      e.addEndpoint('mistral-tgi', {
        container: tgiContainer({ reply: familyReply('[TOOL_CALLS] [{"name": "get_weather", "arguments": {"city": "Paris"}, "id": "abcDEF123"}]') }),
        split: splitEvery(1),
      });
      e.addEndpoint('vision', qwenVLContainer());
      e.addEndpoint('breaks', () => ({
        stream: [chunk('partial '), { exception: 'ModelStreamError', message: 'Model stream broke', errorCode: 'StreamBroken' }],
      }));
    },
    { overrides: { auth: keys } },
  );
}, 60_000);
afterAll(() => h.close());

const client = (apiKey = 'sk-test', options: { authToken?: boolean } = {}) =>
  new Anthropic({
    baseURL: h.gateway.url,
    maxRetries: 0,
    ...(options.authToken ? { authToken: apiKey, apiKey: null } : { apiKey }),
  });
const KEY = { 'x-api-key': 'sk-test', 'anthropic-version': '2023-06-01' };
const DEMO = 'Hello from the sagegate demo model (a stand-in, not a real LLM). You said: "hi"';
const sent = () => JSON.parse(h.emulator.invocations.at(-1)!.body.toString());

async function thrown(promise: Promise<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Anthropic.APIError) return error;
    throw error;
  }
  throw new Error('expected an API error');
}

describe('messages.create and messages.stream', () => {
  it('answers a message, with Anthropic usage and the served-by headers', async () => {
    const { data: message, response } = await client()
      .messages.create({ model: 'demo', max_tokens: 200, messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'demo',
      content: [{ type: 'text', text: DEMO }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: expect.any(Number), output_tokens: expect.any(Number), cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    });
    expect(message.id).toMatch(/^msg_/);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-sagegate-deployment')).toBe('demo');
    expect(response.headers.get('request-id')).toMatch(/^req_/);
  });

  it('streams: text as it comes, and the final message is the one create gives', async () => {
    const stream = client().messages.stream({ model: 'demo', max_tokens: 200, messages: [{ role: 'user', content: 'hi' }] });
    const texts: string[] = [];
    stream.on('text', (text) => texts.push(text));
    const message = await stream.finalMessage();
    expect(texts.length).toBeGreaterThan(3);
    expect(texts.join('')).toBe(DEMO);
    expect(message).toMatchObject({ content: [{ type: 'text', text: DEMO }], stop_reason: 'end_turn' });
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it("sends Anthropic's exact event sequence, each event named by its type", async () => {
    const response = await h.post('/v1/messages', { model: 'demo', max_tokens: 200, stream: true, messages: [{ role: 'user', content: 'hi' }] }, KEY);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = [...(await response.text()).matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map(([, name, data]) => ({ name, data: JSON.parse(data!) }));
    expect(events.every((e) => e.name === e.data.type)).toBe(true);
    const names = events.map((e) => e.name);
    expect(names.slice(0, 3)).toEqual(['message_start', 'content_block_start', 'ping']);
    expect(names.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(new Set(names.slice(3, -3))).toEqual(new Set(['content_block_delta']));
    expect(events.at(-2)!.data).toMatchObject({
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: expect.any(Number) },
    });
  });

  it('max_tokens ends with stop_reason max_tokens', async () => {
    const message = await client().messages.create({ model: 'demo', max_tokens: 3, messages: [{ role: 'user', content: 'hi' }] });
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from the' }]);
  });

  it.each([false, true])('stop_sequences cut the answer and name the sequence (stream: %s)', async (stream) => {
    const params = {
      model: 'demo',
      max_tokens: 200,
      stop_sequences: ['stand-in', 'demo model'],
      messages: [{ role: 'user' as const, content: 'hi' }],
    };
    const message = stream ? await client().messages.stream(params).finalMessage() : await client().messages.create(params);
    expect(message).toMatchObject({
      stop_reason: 'stop_sequence',
      stop_sequence: 'demo model',
      content: [{ type: 'text', text: 'Hello from the sagegate ' }],
    });
    // The container was not sent the sequences: the gateway cut the answer, and so knows which one.
    expect(sent().stop).toBeUndefined();
  });

  it('takes the key as x-api-key (apiKey) or Authorization: Bearer (authToken), as Claude Code sends either', async () => {
    const params = { model: 'demo', max_tokens: 20, messages: [{ role: 'user' as const, content: 'hi' }] };
    await expect(client('sk-a').messages.create(params)).resolves.toMatchObject({ type: 'message' });
    await expect(client('sk-b', { authToken: true }).messages.create(params)).resolves.toMatchObject({ type: 'message' });
  });

  it("meters the answer under the caller's key, as chat completions are", async () => {
    await client('sk-metered').messages.create({ model: 'demo', max_tokens: 200, messages: [{ role: 'user', content: 'hi' }] });
    await client('sk-metered')
      .messages.stream({ model: 'demo', max_tokens: 200, messages: [{ role: 'user', content: 'hi' }] })
      .finalMessage();
    await h.gateway.settled();
    const rows = await h.gateway.gateway.usage.store.rows(dayOf(Date.now()), 'sk-metered');
    expect(rows).toEqual([expect.objectContaining({ model: 'demo', served_by: 'demo', requests: 2, completion_tokens: expect.any(Number) })]);
    expect(rows[0]!.completion_tokens).toBeGreaterThan(20);
  });

  it("maps Claude Code's model ids through model_group_alias", async () => {
    for (const model of ['claude-sonnet-4-5-20250929', 'claude-haiku-4-5-20251001']) {
      const message = await client().messages.create({ model, max_tokens: 200, messages: [{ role: 'user', content: 'hi' }] });
      // The answer names the model the client asked for.
      expect(message).toMatchObject({ model, content: [{ type: 'text', text: DEMO }] });
    }
  });
});

describe('tools, thinking and images', () => {
  const ask: Anthropic.MessageParam[] = [{ role: 'user', content: 'What is the weather in Paris?' }];

  async function roundTrip(model: string, stream: boolean) {
    const create = (messages: Anthropic.MessageParam[]) => {
      const params = { model, max_tokens: 300, tools: [WEATHER], messages };
      return stream ? client().messages.stream(params).finalMessage() : client().messages.create(params);
    };
    const first = await create(ask);
    const call = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    const second = await create([
      ...ask,
      { role: 'assistant', content: first.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: call?.id ?? 'x', content: 'sunny' }] },
    ]);
    return { first, call, second };
  }

  describe.each([false, true])('stream: %s', (stream) => {
    it.each(['vllm', 'tgi-messages', 'sglang', 'r1', 'qwen-tgi', 'llama-lmi', 'mistral-tgi'])(
      '%s: a tool_use block with its input, stop_reason tool_use, then the answer from the result',
      async (model) => {
        const { first, call, second } = await roundTrip(model, stream);
        expect(first.stop_reason).toBe('tool_use');
        expect(call).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } });
        expect(call!.id).not.toBe('');
        expect(first.content.filter((b) => b.type === 'text' && b.text.trim())).toEqual([]);
        const text = second.content.filter((b) => b.type === 'text').map((b) => (b as Anthropic.TextBlock).text);
        expect(text.join('')).toMatch(/sunny in Paris/);
        expect(second.stop_reason).toBe('end_turn');
      },
    );
  });

  it.each([false, true])("a model's thinking as thinking blocks, ahead of its text (stream: %s)", async (stream) => {
    const params = {
      model: 'vllm',
      max_tokens: 300,
      thinking: { type: 'enabled' as const, budget_tokens: 2048 },
      messages: [{ role: 'user' as const, content: 'hi' }],
    };
    const thoughts: string[] = [];
    const message = stream
      ? await client()
          .messages.stream(params)
          .on('thinking', (t) => thoughts.push(t))
          .finalMessage()
      : await client().messages.create(params);
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'A greeting.', signature: '' },
      { type: 'text', text: 'Hello!' },
    ]);
    if (stream) expect(thoughts.join('')).toBe('A greeting.');
    // The budget asks the model for that much reasoning, in the chat request's words.
    expect(sent().reasoning_effort).toBe('low');
  });

  it('streams tool input as input_json_delta events', async () => {
    const response = await h.post('/v1/messages', { model: 'vllm', max_tokens: 300, stream: true, tools: [WEATHER], messages: ask }, KEY);
    const events = [...(await response.text()).matchAll(/^data: (.*)$/gm)].map(([, data]) => JSON.parse(data!));
    const input = events.filter((e) => e.delta?.type === 'input_json_delta');
    expect(input.length).toBeGreaterThan(1);
    expect(JSON.parse(input.map((e) => e.delta.partial_json).join(''))).toEqual({ city: 'Paris' });
    const start = events.find((e) => e.type === 'content_block_start' && e.content_block.type === 'tool_use');
    expect(start).toMatchObject({ content_block: { type: 'tool_use', name: 'get_weather', input: {} } });
    expect(input.every((e) => e.index === start.index)).toBe(true);
  });

  it('images as base64 and in tool results reach a vision model through the chat image path', async () => {
    const png = (await solidPng(64, 64)).toString('base64');
    const message = await client().messages.create({
      model: 'vision',
      max_tokens: 100,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } },
            { type: 'text', text: 'What is this?' },
          ],
        },
      ],
    });
    expect((message.content[0] as Anthropic.TextBlock).text).toMatch(/^I see 1 image: 64x64 png\. What is this\?/);
  });

  it('an image for a model without vision is a 400 invalid_request_error', async () => {
    const png = (await solidPng(8, 8)).toString('base64');
    const error = await thrown(
      client().messages.create({
        model: 'demo',
        max_tokens: 10,
        messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } }] }],
      }),
    );
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error.message).toContain("Model 'demo' does not accept images.");
  });
});

describe('count_tokens and the model list', () => {
  it('counts tokens (an estimate, said so)', async () => {
    const { data, response } = await client()
      .messages.countTokens({ model: 'demo', system: 'Be brief.', tools: [WEATHER], messages: [{ role: 'user', content: 'x'.repeat(400) }] })
      .withResponse();
    expect(data.input_tokens).toBeGreaterThan(100);
    expect(response.headers.get('x-sagegate-usage')).toBe('estimated');
  });

  it("lists models in Anthropic's shape for callers sending anthropic-version, OpenAI's for others", async () => {
    const page = await client().models.list();
    const ids = page.data.map((m) => m.id);
    expect(ids).toContain('claude-sonnet-4-5-20250929');
    expect(ids).not.toContain('claude-haiku-4-5-20251001');
    expect(page.data[0]).toMatchObject({ type: 'model', id: 'demo', display_name: 'demo', created_at: expect.any(String) });
    expect(await client().models.retrieve('claude-sonnet-4-5-20250929')).toMatchObject({ type: 'model', id: 'claude-sonnet-4-5-20250929' });
    const openai = await (await fetch(`${h.gateway.url}/v1/models`, { headers: { authorization: 'Bearer sk-test' } })).json();
    expect(openai).toMatchObject({ object: 'list', data: expect.arrayContaining([expect.objectContaining({ object: 'model', id: 'demo' })]) });
  });
});

describe('errors as the SDK raises them', () => {
  const params = { model: 'demo', max_tokens: 10, messages: [{ role: 'user' as const, content: 'hi' }] };

  it('401 authentication_error for a wrong key, on every Anthropic route', async () => {
    for (const call of [
      () => client('sk-bad').messages.create(params),
      () => client('sk-bad').messages.countTokens({ model: 'demo', messages: params.messages }),
      async () => client('sk-bad').models.list(),
    ]) {
      const error = await thrown(call());
      expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
      expect(error.error).toMatchObject({ type: 'error', error: { type: 'authentication_error', message: 'Incorrect API key provided.' } });
    }
  });

  it('403 permission_error for a model the key may not use; 404 not_found_error for an unknown one', async () => {
    const forbidden = await thrown(client('sk-scoped').messages.create({ ...params, model: 'vllm' }));
    expect(forbidden).toBeInstanceOf(Anthropic.PermissionDeniedError);
    const unknown = await thrown(client().messages.create({ ...params, model: 'claude-opus-9' }));
    expect(unknown).toBeInstanceOf(Anthropic.NotFoundError);
    expect(unknown.error).toMatchObject({
      error: { type: 'not_found_error', message: "The model 'claude-opus-9' does not exist or you do not have access to it." },
    });
  });

  it('400 invalid_request_error naming the field', async () => {
    const { max_tokens: _m, ...noMax } = params;
    const missing = await thrown(client().messages.create(noMax as never));
    expect(missing).toBeInstanceOf(Anthropic.BadRequestError);
    expect(missing.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } });
    const container = await thrown(client().messages.create({ ...params, container: 'c' } as never));
    expect(container.message).toContain('container: not supported by this gateway');
    const batches = await thrown(client().messages.batches.list());
    expect(batches).toBeInstanceOf(Anthropic.NotFoundError);
  });

  it("Anthropic's server tools are refused by their place in 'tools'", async () => {
    const tools = [WEATHER, { type: 'web_search_20250305', name: 'web_search', max_uses: 1 }] as Anthropic.ToolUnion[];
    const error = await thrown(client().messages.create({ ...params, tools }));
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error.message).toContain("cannot use tools of type 'web_search_20250305' (tools[1])");
  });

  it('a prompt-string container refuses the effort Claude Code always sends, saying how to drop it', async () => {
    const error = await thrown(client().messages.create({ ...params, model: 'qwen-tgi', output_config: { effort: 'high' } }));
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error.message).toContain("does not support 'reasoning_effort'. Remove it, or set drop_params: true");
  });

  it('413 request_too_large for a body over the limit', async () => {
    const error = await thrown(client().messages.create({ ...params, messages: [{ role: 'user', content: 'x'.repeat(11 * 1024 * 1024) }] }));
    expect(error.status).toBe(413);
    expect(error.error).toMatchObject({ error: { type: 'request_too_large' } });
  });

  it('a throttled or starting model is 529 overloaded_error with retry-after, which the SDK retries', async () => {
    h.emulator.failNext('demo', 'ThrottlingException', 2); // the gateway's SDK retries once
    const error = await thrown(client().messages.create(params));
    expect(error.status).toBe(529);
    expect(error.headers?.get('retry-after')).toBe('1');
    expect(error.error).toMatchObject({ error: { type: 'overloaded_error' } });
    h.emulator.failNext('demo', 'ModelNotReadyException', 1);
    // With its retries on, the SDK waits as told and gets the answer.
    const retrying = new Anthropic({ baseURL: h.gateway.url, apiKey: 'sk-test', maxRetries: 2 });
    await expect(retrying.messages.create(params)).resolves.toMatchObject({ type: 'message' });
  });

  it('a failure midway through a stream is an error event the SDK raises as its typed error', async () => {
    const stream = client().messages.stream({ ...params, model: 'breaks' });
    const texts: string[] = [];
    stream.on('text', (t) => texts.push(t));
    const error = await thrown(stream.finalMessage());
    expect(texts.join('')).toBe('partial ');
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'api_error', message: expect.stringMatching(/model 'breaks'/i) } });
    // Not streamed, the same failure is the answer's status.
    const whole = await thrown(client().messages.create({ ...params, model: 'breaks' }));
    expect(whole.status).toBe(502);
  });
});

describe('Claude Code headless (claude -p)', () => {
  let binary: string;
  let demo: ChildServer;
  const trap = new ProxyTrap();
  beforeAll(async () => {
    [binary, demo] = await Promise.all([installClaudeCode(), startServer([]), trap.start()]).then(([b, d]) => [b, d] as const);
  }, 600_000);
  afterAll(async () => {
    stopServers();
    await trap.stop();
  });
  // Nothing but the gateway is ever asked for anything: no telemetry, no update check, no Anthropic host.
  afterEach(() => expect(trap.attempts).toEqual([]));

  const claude = (prompt: string, args: string[], options: { baseUrl?: string; model?: string; env?: Record<string, string> } = {}) =>
    claudePrint(binary, prompt, args, {
      baseUrl: options.baseUrl ?? demo.url,
      proxy: trap.url,
      model: options.model ?? 'sagegate-demo',
      env: options.env,
    });
  const result = (run: ClaudeRun) =>
    run.records.find((r) => r.type === 'result') as { is_error: boolean; result: string; stop_reason: string } | undefined;

  it('answers a prompt (--output-format json)', async () => {
    const run = await claude('say hi', ['--output-format', 'json']);
    expect(result(run)).toMatchObject({ is_error: false, stop_reason: 'end_turn' });
    expect(result(run)!.result).toMatch(/^Hello from the sagegate demo model \(a stand-in, not a real LLM\)\. You said: ".*say hi"$/s);
    expect(run.code).toBe(0);
  }, 120_000);

  it('streams the answer (stream-json with partial messages): the deltas add up to the answer', async () => {
    const run = await claude('say hi', ['--output-format', 'stream-json', '--verbose', '--include-partial-messages']);
    const events = run.records
      .filter((r) => r.type === 'stream_event')
      .map((r) => r.event as { type: string; delta?: { type: string; text?: string } });
    const deltas = events.filter((e) => e.type === 'content_block_delta' && e.delta?.type === 'text_delta').map((e) => e.delta!.text);
    expect(deltas.length).toBeGreaterThan(5);
    expect(events[0]!.type).toBe('message_start');
    expect(events.at(-1)!.type).toBe('message_stop');
    expect(deltas.join('')).toBe(result(run)!.result);
    expect(run.code).toBe(0);
  }, 120_000);

  it('runs a command through its Bash tool and answers with the result', async () => {
    const run = await claude('run `echo hello-from-claude-code`', ['--output-format', 'stream-json', '--verbose', '--allowedTools', 'Bash']);
    const blocks = run.records.flatMap((r) => ((r.message as { content?: unknown[] } | undefined)?.content ?? []) as Record<string, unknown>[]);
    expect(blocks).toContainEqual(
      expect.objectContaining({ type: 'tool_use', name: 'Bash', input: expect.objectContaining({ command: 'echo hello-from-claude-code' }) }),
    );
    expect(blocks).toContainEqual(expect.objectContaining({ type: 'tool_result', content: 'hello-from-claude-code', is_error: false }));
    expect(result(run)).toMatchObject({ is_error: false });
    expect(result(run)!.result).toContain('The tool returned: "hello-from-claude-code"');
    expect(run.code).toBe(0);
  }, 120_000);

  it("sends its own model ids, which model_group_alias maps onto the gateway's model (and meters there)", async () => {
    const run = await claude('say hi', ['--output-format', 'json'], {
      baseUrl: h.gateway.url,
      model: 'claude-sonnet-4-5-20250929',
      env: { ANTHROPIC_DEFAULT_HAIKU_MODEL: 'claude-haiku-4-5-20251001' },
    });
    expect(result(run)).toMatchObject({ is_error: false });
    expect(result(run)!.result).toContain('Hello from the sagegate demo model');
    await h.gateway.settled();
    const rows = await h.gateway.gateway.usage.store.rows(dayOf(Date.now()), 'sk-claude-code');
    expect(rows).toEqual([expect.objectContaining({ model: 'demo', served_by: 'demo' })]);
  }, 120_000);
});
