import type OpenAI from 'openai';
import OpenAI7 from 'openai7';
import { openAIChatContainer, type ScriptedAnswer } from '../../local/emulators/openai-chat-container.js';
import { splitEvery } from '../../local/emulators/sagemaker-runtime.js';
import { tgiContainer } from '../../local/emulators/text-generation-containers.js';
import { errorOf, type Harness, startHarness } from '../support/harness.js';
import { dataUrl, solidPng } from '../support/images.js';

const CONFIG = `
models:
  - { name: demo, endpoint: demo }
  - { name: lenient, endpoint: demo, drop_params: true }
  - { name: thinker, endpoint: thinker }
  - { name: vision, endpoint: demo, vision: true }
  - { name: failing, endpoint: failing }
  - { name: qwen-tgi, endpoint: qwen-tgi, dialect: tgi-generate, chat_template: chatml }
`;

const WEATHER = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Weather in a city',
  strict: true,
  parameters: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
};

/** A thinking model: thinks, then calls get_weather, or answers after the tool's result (vLLM's `reasoning` field). */
const thinkerAnswer = (body: { messages?: { role: string; content: unknown }[]; tools?: { function?: { name: string } }[] }): ScriptedAnswer => {
  const last = body.messages?.at(-1);
  if (last?.role === 'tool') return { reasoning: 'Now I know.', text: `It is ${String(last.content)}.` };
  const names = body.tools?.map((t) => t.function?.name) ?? [];
  if (names.includes('apply_patch'))
    return { reasoning: 'A patch.', calls: [{ name: 'apply_patch', arguments: { input: '*** Begin Patch\n*** End Patch' } }] };
  if (names.includes('tools__lookup')) return { calls: [{ name: 'tools__lookup', arguments: { q: 'x' } }] };
  if (names.includes('get_weather'))
    return { reasoning: 'The user wants weather.', text: 'Let me check.', calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] };
  return { reasoning: 'Just a greeting.', text: 'Hello!' };
};

describe('POST /v1/responses', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(CONFIG, (e) => {
      e.addEndpoint('demo', openAIChatContainer());
      e.addEndpoint('thinker', {
        container: openAIChatContainer({ answer: thinkerAnswer, style: { reasoning: 'reasoning', pieceChars: 2 } }),
        split: splitEvery(7),
      });
      e.addEndpoint('failing', () => ({
        stream: [
          'data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"Partial"}}]}\n\n',
          'data: {"error":{"message":"CUDA out of memory","type":"InternalServerError","code":500}}\n\n',
        ],
      }));
      e.addEndpoint('qwen-tgi', {
        container: tgiContainer({
          reply: (prompt) =>
            prompt.includes('<tool_response>')
              ? 'Done.'
              : '<think>Weather.</think>\n\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>',
          eosToken: '<|im_end|>',
        }),
        split: splitEvery(1),
      });
    });
  });
  afterAll(() => h.close());

  const sent = () => JSON.parse(h.emulator.invocations.at(-1)!.body.toString());
  const v7 = () => new OpenAI7({ baseURL: `${h.gateway.url}/v1`, apiKey: 'sk-test', maxRetries: 0 });

  it('answers a string input with a response object (create)', async () => {
    const response = await h
      .client()
      .responses.create({ model: 'demo', input: 'hi', instructions: 'Be brief.', metadata: { team: 'a' }, user: 'u1' });
    expect(response).toMatchObject({
      id: expect.stringMatching(/^resp_/),
      object: 'response',
      status: 'completed',
      model: 'demo',
      instructions: 'Be brief.',
      metadata: { team: 'a' },
      store: false,
      error: null,
      incomplete_details: null,
      usage: {
        input_tokens: expect.any(Number),
        output_tokens: 15,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens_details: { reasoning_tokens: 0 },
      },
    });
    expect(response.output_text).toBe('Hello from the sagegate demo model (a stand-in, not a real LLM). You said: "hi"');
    expect(sent()).toMatchObject({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
      user: 'u1',
    });
  });

  it.each([
    ['openai 6', () => h.client()],
    ['openai 7', () => v7() as unknown as OpenAI],
  ])('streams the typed events in order through the %s stream helper (text, thinking, a call)', async (_version, client) => {
    const stream = client().responses.stream({ model: 'thinker', input: 'weather in Paris?', tools: [WEATHER] });
    const events: { type: string; sequence_number: number; item_id?: string; output_index?: number }[] = [];
    for await (const event of stream) events.push(event as (typeof events)[number]);
    const final = await stream.finalResponse();
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const types = [...new Set(events.map((e) => e.type))];
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.reasoning_text.delta',
      'response.reasoning_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_text.delta',
      'response.output_text.done',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.completed',
    ]);
    expect(final.output.map((item) => item.type)).toEqual(['reasoning', 'message', 'function_call']);
    expect(final.output[0]).toMatchObject({ content: [{ type: 'reasoning_text', text: 'The user wants weather.' }] });
    expect(final.output_text).toBe('Let me check.');
    expect(final.output[2]).toMatchObject({ type: 'function_call', name: 'get_weather', arguments: '{"city":"Paris"}', call_id: expect.any(String) });
    // One id from created to completed.
    const ids = new Set(events.filter((e) => 'response' in e).map((e) => (e as unknown as { response: { id: string } }).response.id));
    expect(ids).toEqual(new Set([final.id]));
  });

  it('runs a tool round trip: the call, then its output sent back as input (with the thinking item)', async () => {
    const client = h.client();
    const first = await client.responses.create({ model: 'thinker', input: [{ role: 'user', content: 'weather in Paris?' }], tools: [WEATHER] });
    const call = first.output.find((item) => item.type === 'function_call')!;
    const second = await client.responses.create({
      model: 'thinker',
      input: [
        { role: 'user', content: 'weather in Paris?' },
        ...first.output,
        { type: 'function_call_output', call_id: call.call_id, output: 'sunny' },
      ] as never,
      tools: [WEATHER],
    });
    expect(second.output_text).toBe('It is sunny.');
    // The call, its thinking and the text before it are one assistant message, its result right after it.
    expect(sent().messages).toEqual([
      { role: 'user', content: 'weather in Paris?' },
      {
        role: 'assistant',
        content: 'Let me check.',
        reasoning_content: 'The user wants weather.',
        tool_calls: [{ id: call.call_id, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
      { role: 'tool', tool_call_id: call.call_id, content: 'sunny' },
    ]);
    // Tools go as chat functions, without the Agents SDK's $schema.
    expect(sent().tools[0].function.parameters).not.toHaveProperty('$schema');
  });

  it("reads a prompt-string model's calls and thinking (TGI generate, Qwen template), split at every byte", async () => {
    const stream = v7().responses.stream({ model: 'qwen-tgi', input: 'weather?', tools: [WEATHER] });
    const final = await stream.finalResponse();
    expect(final.output.map((i) => i.type)).toEqual(['reasoning', 'function_call']);
    expect(final.output[1]).toMatchObject({ name: 'get_weather', arguments: '{"city":"Paris"}' });
  });

  it("Codex's tools: a namespace flattened and its calls mapped back; a custom tool's input as a custom_tool_call", async () => {
    const namespace = {
      type: 'namespace',
      name: 'tools',
      description: 'd',
      tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object' } }],
    };
    const ns = await v7()
      .responses.stream({ model: 'thinker', input: 'x', tools: [namespace] as never })
      .finalResponse();
    expect(ns.output[0]).toMatchObject({ type: 'function_call', name: 'lookup', namespace: 'tools', arguments: '{"q":"x"}' });
    expect(sent().tools[0].function.name).toBe('tools__lookup');

    const custom = {
      type: 'custom',
      name: 'apply_patch',
      description: 'Patch files.',
      format: { type: 'grammar', syntax: 'lark', definition: 'start: "x"' },
    };
    const events: string[] = [];
    const stream = v7().responses.stream({ model: 'thinker', input: 'patch it', tools: [custom] as never });
    for await (const event of stream) events.push(event.type);
    const patched = await stream.finalResponse();
    expect(patched.output.at(-1)).toMatchObject({ type: 'custom_tool_call', name: 'apply_patch', input: '*** Begin Patch\n*** End Patch' });
    expect(events).toContain('response.custom_tool_call_input.done');
    expect(sent().tools[0].function).toMatchObject({ name: 'apply_patch', parameters: { required: ['input'] } });
    expect(sent().tools[0].function.description).toContain('lark grammar');

    // Replayed as Codex replays them.
    await h.client().responses.create({
      model: 'demo',
      input: [
        { type: 'custom_tool_call', call_id: 'c1', name: 'apply_patch', input: 'PATCH' },
        { type: 'custom_tool_call_output', call_id: 'c1', output: 'ok' },
        { type: 'function_call', call_id: 'c2', name: 'lookup', namespace: 'tools', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c2', output: [{ type: 'input_text', text: 'found' }] },
      ] as never,
    });
    expect(sent().messages).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'apply_patch', arguments: '{"input":"PATCH"}' } }],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'ok' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c2', type: 'function', function: { name: 'tools__lookup', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c2', content: 'found' },
    ]);
  });

  it("takes Codex's request as it comes: developer messages, unknown fields, store false, include, reasoning summary", async () => {
    const response = await h.post('/v1/responses', {
      model: 'lenient',
      stream: false,
      input: [
        { type: 'message', id: 'msg_1', role: 'developer', content: [{ type: 'input_text', text: 'You are Codex.' }] },
        { type: 'message', id: 'msg_2', role: 'developer', content: [{ type: 'input_text', text: 'Skills.' }] },
        { type: 'message', id: 'msg_3', role: 'user', content: [{ type: 'input_text', text: 'say hi' }] },
        { type: 'reasoning', id: 'rs_1', summary: [], content: [{ type: 'reasoning_text', text: 'earlier' }], encrypted_content: null },
      ],
      tools: [WEATHER, { type: 'web_search', external_web_access: false }],
      tool_choice: 'auto',
      parallel_tool_calls: true,
      reasoning: { summary: 'auto', effort: 'medium' },
      text: { verbosity: 'low' },
      store: false,
      include: ['reasoning.encrypted_content'],
      prompt_cache_key: 'k',
      client_metadata: { 'x-codex': 1 },
    });
    expect(response.status).toBe(200);
    expect(sent()).toMatchObject({
      messages: [
        { role: 'system', content: 'You are Codex.\n\nSkills.' },
        { role: 'user', content: 'say hi' },
      ],
      reasoning_effort: 'medium',
      verbosity: 'low',
    });
    // The hosted tool is dropped (drop_params), the function kept.
    expect(sent().tools.map((t: { function: { name: string } }) => t.function.name)).toEqual(['get_weather']);
  });

  it('refuses hosted tools with a 400 naming the type, unless the model drops them', async () => {
    const error = await errorOf(h.client().responses.create({ model: 'demo', input: 'x', tools: [WEATHER, { type: 'web_search' }] }));
    expect(error).toMatchObject({ status: 400, param: 'tools[1].type', code: 'unsupported_tool' });
    expect(error.message).toContain("'web_search'");
    expect(error.message).toContain('drop_params');
    const forced = await errorOf(
      h.client().responses.create({ model: 'lenient', input: 'x', tools: [{ type: 'web_search' }], tool_choice: { type: 'web_search' } as never }),
    );
    expect(forced).toMatchObject({ status: 400, param: 'tool_choice' });
  });

  it('refuses what it cannot do: items it keeps no state for, encrypted reasoning, background', async () => {
    await expect(h.client().responses.create({ model: 'demo', input: [{ type: 'item_reference', id: 'x' }] as never })).rejects.toMatchObject({
      status: 400,
      param: 'input[0].type',
    });
    await expect(
      h.client().responses.create({ model: 'demo', input: [{ type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAA' }] as never }),
    ).rejects.toMatchObject({ status: 400, param: 'input[0].encrypted_content' });
    await expect(h.client().responses.create({ model: 'demo', input: 'x', background: true })).rejects.toMatchObject({
      status: 400,
      param: 'background',
    });
  });

  it('maps text.format, max_output_tokens, temperature and top_p', async () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false };
    await h.client().responses.create({
      model: 'demo',
      input: 'x',
      text: { format: { type: 'json_schema', name: 'out', schema, strict: true } },
      max_output_tokens: 50,
      temperature: 0.3,
      top_p: 0.9,
    });
    expect(sent()).toMatchObject({
      response_format: { type: 'json_schema', json_schema: { name: 'out', schema, strict: true } },
      max_tokens: 50,
      temperature: 0.3,
      top_p: 0.9,
    });
  });

  it('is incomplete (max_output_tokens) when the answer is cut, streamed or not', async () => {
    const whole = await h.client().responses.create({ model: 'demo', input: 'x', max_output_tokens: 3 });
    expect(whole).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
    const stream = v7().responses.stream({ model: 'demo', input: 'x', max_output_tokens: 3 });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types.at(-1)).toBe('response.incomplete');
    expect((await stream.finalResponse()).status).toBe('incomplete');
  });

  it('passes images through the image pipeline, and refuses them for a model without vision', async () => {
    const image = dataUrl(await solidPng(64, 64));
    await h.client().responses.create({
      model: 'vision',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'what is this?' },
            { type: 'input_image', image_url: image, detail: 'low' },
          ],
        },
      ],
    });
    expect(sent().messages[0].content).toEqual([
      { type: 'text', text: 'what is this?' },
      { type: 'image_url', image_url: { url: image, detail: 'low' } },
    ]);
    const error = await errorOf(
      h.client().responses.create({ model: 'demo', input: [{ role: 'user', content: [{ type: 'input_image', image_url: image, detail: 'auto' }] }] }),
    );
    expect(error).toMatchObject({ status: 400, code: 'image_not_supported' });
  });

  it('fails before the first byte with the HTTP status; after it with response.failed and an error event the helpers raise', async () => {
    await expect(h.client().responses.create({ model: 'nope', input: 'x' })).rejects.toMatchObject({ status: 404 });
    const res = await h.post('/v1/responses', { model: 'failing', input: 'x', stream: true });
    expect(res.status).toBe(200);
    const text = await res.text();
    const types = text
      .split('\n')
      .filter((l) => l.startsWith('event: '))
      .map((l) => l.slice(7));
    expect(types.slice(-3)).toEqual(['response.output_item.done', 'response.failed', 'error']);
    expect(text).toContain('CUDA out of memory');
    await expect(v7().responses.stream({ model: 'failing', input: 'x' }).finalResponse()).rejects.toThrow('CUDA out of memory');
  });

  it('is stateless without a table: previous_response_id is a clear 400, stored responses a 404', async () => {
    const error = await errorOf(h.client().responses.create({ model: 'demo', input: 'x', previous_response_id: 'resp_123' }));
    expect(error).toMatchObject({ status: 400, param: 'previous_response_id', code: 'previous_response_not_supported' });
    expect(error.message).toContain('usage.table');
    await expect(h.client().responses.retrieve('resp_123')).rejects.toMatchObject({ status: 404 });
    await expect(h.client().responses.delete('resp_123')).rejects.toMatchObject({ status: 404 });
  });

  it('answers on /responses too (clients whose base URL has no /v1)', async () => {
    const res = await h.post('/responses', { model: 'demo', input: 'x' });
    expect(res.status).toBe(200);
    expect((await res.json()).object).toBe('response');
  });
});
