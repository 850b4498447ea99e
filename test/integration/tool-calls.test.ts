import type OpenAI from 'openai';
import { openAIChatContainer, type ScriptedAnswer } from '../../local/emulators/openai-chat-container.js';
import { splitEvery } from '../../local/emulators/sagemaker-runtime.js';
import { lmiContainer, tgiContainer } from '../../local/emulators/text-generation-containers.js';
import { errorOf, type Harness, startHarness } from '../support/harness.js';

/** A template that opens `<think>` in the prompt, as QwQ's and DeepSeek-R1's do. */
const QWQ_TEMPLATE =
  "{%- for m in messages %}{{ '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}{% endfor %}{{ '<|im_start|>assistant\\n<think>\\n' }}";

const CONFIG = `
models:
  - { name: vllm, endpoint: vllm }
  - { name: vllm-old, endpoint: vllm-old }
  - { name: vllm-no-parser, endpoint: vllm-no-parser }
  - { name: tgi-messages, endpoint: tgi-messages, dialect: tgi-chat }
  - { name: tgi-messages-2, endpoint: tgi-messages-2 }
  - { name: sglang, endpoint: sglang }
  - { name: r1, endpoint: r1, reasoning: true }
  - { name: plain-thinker, endpoint: plain-thinker, reasoning: false }
  - { name: qwen-tgi, endpoint: qwen-tgi, dialect: tgi-generate, chat_template: chatml }
  - { name: llama-lmi, endpoint: llama-lmi, dialect: lmi-rolling-batch, chat_template: llama3 }
  - { name: mistral-tgi, endpoint: mistral-tgi, dialect: tgi-generate, chat_template: mistral }
  - { name: gemma-tgi, endpoint: gemma-tgi, dialect: tgi-generate, chat_template: gemma }
  - name: qwq-tgi
    endpoint: qwq-tgi
    dialect: tgi-generate
    chat_template: { inline: "${QWQ_TEMPLATE.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}", stop: ['<|im_end|>'] }
`;

const WEATHER: OpenAI.Chat.ChatCompletionFunctionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Weather in a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
];

/** What a model that calls get_weather for Paris, then reports the result, answers. */
const weatherAnswer = (body: { messages?: { role: string; content: unknown }[]; tools?: unknown[] }): ScriptedAnswer => {
  const last = body.messages?.at(-1);
  if (last?.role === 'tool') return { reasoning: 'The tool answered.', text: `It is ${String(last.content)} in Paris.` };
  if (body.tools?.length) return { reasoning: 'The user wants the weather.', calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] };
  return { reasoning: 'A greeting.', text: 'Hello!' };
};

/** What a prompt-string model writes: the family's call format when tools are in the prompt, the result after it. */
const familyReply =
  (call: string, after: RegExp, thinking = '') =>
  (prompt: string) => {
    if (after.test(prompt)) return `${thinking}It is sunny in Paris.`;
    return prompt.includes('get_weather') ? `${thinking}${call}` : `${thinking}Hello!`;
  };

describe('tool calls and thinking from every container, through the official client', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(CONFIG, (e) => {
      const byte = (container: ReturnType<typeof openAIChatContainer>) => ({ container, split: splitEvery(1) });
      e.addEndpoint('vllm', byte(openAIChatContainer({ answer: weatherAnswer, style: { tools: 'openai', reasoning: 'both' } })));
      e.addEndpoint('vllm-old', byte(openAIChatContainer({ answer: weatherAnswer, style: { tools: 'openai', reasoning: 'reasoning_content' } })));
      e.addEndpoint('vllm-no-parser', openAIChatContainer({ answer: weatherAnswer, style: { noToolParser: true } }));
      e.addEndpoint('tgi-messages', byte(openAIChatContainer({ answer: weatherAnswer, style: { tools: 'tgi', reasoning: 'tags' } })));
      e.addEndpoint('tgi-messages-2', byte(openAIChatContainer({ answer: weatherAnswer, style: { tools: 'tgi-legacy', reasoning: 'tags' } })));
      e.addEndpoint('sglang', byte(openAIChatContainer({ answer: weatherAnswer, style: { tools: 'text', reasoning: 'tags', pieceChars: 3 } })));
      e.addEndpoint('r1', byte(openAIChatContainer({ answer: weatherAnswer, style: { tools: 'openai', reasoning: 'open', pieceChars: 2 } })));
      e.addEndpoint('plain-thinker', openAIChatContainer({ answer: weatherAnswer, style: { reasoning: 'tags' } }));
      const tool = /<tool_response>|ipython<\|end_header_id\|>|\[TOOL_RESULTS\]/;
      e.addEndpoint('qwen-tgi', {
        container: tgiContainer({
          reply: familyReply(
            '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>',
            tool,
            '<think>Weather.</think>\n\n',
          ),
          eosToken: '<|im_end|>',
        }),
        split: splitEvery(1),
      });
      e.addEndpoint('llama-lmi', {
        container: lmiContainer({ reply: familyReply('<|python_tag|>{"name": "get_weather", "parameters": {"city": "Paris"}}', tool) }),
        split: splitEvery(1),
      });
      e.addEndpoint('mistral-tgi', {
        container: tgiContainer({
          reply: familyReply('[TOOL_CALLS] [{"name": "get_weather", "arguments": {"city": "Paris"}, "id": "abcDEF123"}]', tool),
        }),
        split: splitEvery(1),
      });
      e.addEndpoint('gemma-tgi', tgiContainer());
      e.addEndpoint('qwq-tgi', { container: tgiContainer({ reply: () => 'The user says hi.\n</think>\n\nHello!' }), split: splitEvery(1) });
    });
  });
  afterAll(() => h.close());

  const sent = () => JSON.parse(h.emulator.invocations.at(-1)!.body.toString());
  const ask: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'What is the weather in Paris?' }];

  /** A whole round trip: the call (streamed or not), the tool's result sent back, the final answer. */
  async function roundTrip(model: string, stream: boolean) {
    const client = h.client();
    const first = stream
      ? await client.chat.completions.stream({ model, messages: ask, tools: WEATHER }).finalChatCompletion()
      : await client.chat.completions.create({ model, messages: ask, tools: WEATHER });
    const choice = first.choices[0]!;
    const call = choice.message.tool_calls?.[0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall | undefined;
    const followUp: OpenAI.Chat.ChatCompletionMessageParam[] = [
      ...ask,
      { role: 'assistant', content: null, tool_calls: choice.message.tool_calls },
      { role: 'tool', tool_call_id: call?.id ?? 'x', content: 'sunny' },
    ];
    const second = stream
      ? await client.chat.completions.stream({ model, messages: followUp, tools: WEATHER }).finalChatCompletion()
      : await client.chat.completions.create({ model, messages: followUp, tools: WEATHER });
    return { choice, call, answer: second.choices[0]!, prompt: sent() };
  }

  describe.each([false, true])('stream: %s', (stream) => {
    it.each(['vllm', 'vllm-old', 'tgi-messages', 'tgi-messages-2', 'sglang', 'r1', 'qwen-tgi', 'llama-lmi', 'mistral-tgi'])(
      '%s: a call in OpenAI shape, finish_reason tool_calls, then the answer',
      async (model) => {
        const { choice, call, answer } = await roundTrip(model, stream);
        expect(choice.finish_reason).toBe('tool_calls');
        expect(call).toMatchObject({ type: 'function', id: expect.any(String), function: { name: 'get_weather' } });
        expect(call!.id).not.toBe('');
        expect(JSON.parse(call!.function.arguments)).toEqual({ city: 'Paris' });
        expect(choice.message.content ?? '').toBe('');
        expect(answer.message.content).toMatch(/sunny in Paris/);
        expect(answer.finish_reason).toBe('stop');
      },
    );
  });

  it('renders the call and its result back through each template family', async () => {
    expect((await roundTrip('qwen-tgi', false)).prompt.inputs).toContain(
      '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call><|im_end|>\n<|im_start|>user\n<tool_response>\nsunny\n</tool_response>',
    );
    expect((await roundTrip('llama-lmi', false)).prompt.inputs).toContain(
      '{"name": "get_weather", "parameters": {"city": "Paris"}}<|eot_id|><|start_header_id|>ipython<|end_header_id|>\n\nsunny<|eot_id|>',
    );
    const mistral = await roundTrip('mistral-tgi', false);
    expect(mistral.call!.id).toBe('abcDEF123');
    expect(mistral.prompt.inputs).toContain('[TOOL_RESULTS] {"content": "sunny", "call_id": "abcDEF123"}[/TOOL_RESULTS]');
  });

  it.each([
    ['vllm', 'The user wants the weather.'],
    ['vllm-old', 'The user wants the weather.'],
    ['tgi-messages', 'The user wants the weather.'],
    ['r1', 'The user wants the weather.'],
    ['qwen-tgi', 'Weather.'],
  ])('%s: thinking comes as reasoning_content, streamed and not', async (model, thought) => {
    const whole = await h.client().chat.completions.create({ model, messages: ask, tools: WEATHER });
    expect((whole.choices[0]!.message as { reasoning_content?: string }).reasoning_content).toBe(thought);
    const stream = await h.client().chat.completions.create({ model, messages: ask, tools: WEATHER, stream: true });
    let reasoning = '';
    for await (const chunk of stream) reasoning += (chunk.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? '';
    expect(reasoning).toBe(thought);
  });

  it('a template that opens <think> in the prompt: only </think> comes back, split across every byte', async () => {
    const whole = await h.client().chat.completions.create({ model: 'qwq-tgi', messages: [{ role: 'user', content: 'hi' }] });
    expect(whole.choices[0]!.message).toMatchObject({ content: 'Hello!', reasoning_content: 'The user says hi.\n' });
    const stream = await h.client().chat.completions.create({ model: 'qwq-tgi', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let text = '';
    let reasoning = '';
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      reasoning += (chunk.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? '';
    }
    expect({ text, reasoning }).toEqual({ text: 'Hello!', reasoning: 'The user says hi.\n' });
  });

  it('reasoning: false leaves <think> in the text', async () => {
    const whole = await h.client().chat.completions.create({ model: 'plain-thinker', messages: [{ role: 'user', content: 'hi' }] });
    expect(whole.choices[0]!.message.content).toBe('<think>A greeting.</think>\n\nHello!');
  });

  it("explains vLLM's missing tool parser: how to start the container", async () => {
    const error = await errorOf(h.client().chat.completions.create({ model: 'vllm-no-parser', messages: ask, tools: WEATHER }));
    expect(error).toMatchObject({ status: 400, code: 'tool_choice_unsupported', param: 'tool_choice' });
    expect(error.message).toContain('--enable-auto-tool-choice --tool-call-parser');
    expect(error.message).toContain('OPTION_ENABLE_AUTO_TOOL_CHOICE=true');
    // A named tool needs no parser.
    const named = await h.client().chat.completions.create({
      model: 'vllm-no-parser',
      messages: ask,
      tools: WEATHER,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    expect(named.choices[0]!.message.tool_calls).toHaveLength(1);
  });

  it('forces a named call on TGI generate with a grammar of the call; LMI, without a grammar, refuses', async () => {
    await h.client().chat.completions.create({
      model: 'qwen-tgi',
      messages: ask,
      tools: WEATHER,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    expect(sent().parameters.grammar).toEqual({
      type: 'json',
      value: {
        type: 'object',
        properties: { name: { const: 'get_weather' }, arguments: WEATHER[0]!.function.parameters },
        required: ['name', 'arguments'],
      },
    });
    const error = await errorOf(h.client().chat.completions.create({ model: 'llama-lmi', messages: ask, tools: WEATHER, tool_choice: 'required' }));
    expect(error).toMatchObject({ status: 400, param: 'tool_choice', code: 'unsupported_parameter' });
  });

  it('a template without tools (Gemma) refuses them with a 400 naming tools', async () => {
    const error = await errorOf(h.client().chat.completions.create({ model: 'gemma-tgi', messages: ask, tools: WEATHER }));
    expect(error).toMatchObject({ status: 400, param: 'tools', code: 'unsupported_parameter' });
  });

  it("sends TGI's own response_format shape to a tgi-chat container, OpenAI's to others", async () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    await h.client().chat.completions.create({
      model: 'tgi-messages',
      messages: [{ role: 'user', content: 'hi' }],
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema } },
    });
    expect(sent().response_format).toEqual({ type: 'json', value: schema });
    await h.client().chat.completions.create({
      model: 'vllm',
      messages: [{ role: 'user', content: 'hi' }],
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema } },
    });
    expect(sent().response_format).toEqual({ type: 'json_schema', json_schema: { name: 'x', schema } });
  });

  it('drops an empty tools array (newer vLLM refuses it)', async () => {
    await h.client().chat.completions.create({ model: 'vllm', messages: [{ role: 'user', content: 'hi' }], tools: [] });
    expect(sent()).not.toHaveProperty('tools');
  });
});
