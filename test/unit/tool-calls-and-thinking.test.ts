import { ThinkSplitter } from '../../lambda/dialects/think-tags.js';
import { toolCallParser, toolFamilyOf } from '../../lambda/dialects/tool-calls/index.js';
import type { ToolCallFamily } from '../../lambda/dialects/tool-calls/tool-call-text.js';
import { normaliseAnswer, normaliseStream } from '../../lambda/models/answer-normaliser.js';
import type { ChatStreamEvent, DeltaEvent } from '../../lambda/openai/chat-types.js';

/** Every way of cutting `text` in two (and whole). */
const cuts = (text: string) => Array.from({ length: text.length + 1 }, (_, i) => [text.slice(0, i), text.slice(i)].filter(Boolean));

function parse(family: ToolCallFamily, parts: string[], forced = false) {
  const parser = toolCallParser(family, forced);
  let text = '';
  const calls: { name: string; arguments: string; id?: string }[] = [];
  for (const part of [...parts.map((p) => parser.push(p)), parser.end()]) {
    text += part.text;
    calls.push(...part.calls);
  }
  return { text, calls: calls.map((c) => ({ ...c, arguments: JSON.parse(c.arguments) })) };
}

describe('tool calls written in the text, cut at every character', () => {
  const weather = { name: 'get_weather', arguments: { city: 'Paris', unit: 'c' } };
  it.each([
    ['hermes', 'Let me check.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris", "unit": "c"}}\n</tool_call>', 'Let me check.\n'],
    [
      'hermes',
      '<tool_call>\n<function=get_weather>\n<parameter=city>\nParis\n</parameter>\n<parameter=unit>\nc\n</parameter>\n</function>\n</tool_call>',
      '',
    ],
    ['llama3_json', '<|python_tag|>{"name": "get_weather", "parameters": {"city": "Paris", "unit": "c"}}', ''],
    ['llama3_json', '  {"name": "get_weather", "parameters": {"city": "Paris", "unit": "c"}}', ''],
    ['mistral', '[TOOL_CALLS] [{"name": "get_weather", "arguments": {"city": "Paris", "unit": "c"}, "id": "abcDEF123"}]', ''],
    ['mistral', ' [{"name": "get_weather", "arguments": {"city": "Paris", "unit": "c"}}]', ''],
    ['mistral', '[TOOL_CALLS]get_weather[ARGS]{"city": "Paris", "unit": "c"}', ''],
  ] as const)('%s: %j', (family, output, text) => {
    for (const parts of cuts(output)) {
      const out = parse(family, parts);
      expect(out.text).toBe(text);
      expect(out.calls).toEqual([expect.objectContaining(weather)]);
    }
  });

  it('keeps Mistral ids and reads several calls (Hermes blocks, Llama `;`)', () => {
    expect(
      parse('mistral', ['[TOOL_CALLS] [{"name": "a", "arguments": {}, "id": "abcDEF123"}, {"name": "b", "arguments": {"x": 1}}]']).calls,
    ).toEqual([
      { name: 'a', arguments: {}, id: 'abcDEF123' },
      { name: 'b', arguments: { x: 1 } },
    ]);
    expect(
      parse('hermes', ['<tool_call>{"name":"a","arguments":{}}</tool_call>\n<tool_call>{"name":"b","arguments":{"x":1}}</tool_call>']).calls,
    ).toHaveLength(2);
    expect(parse('llama3_json', ['{"name": "a", "parameters": {}}; {"name": "b", "parameters": {"x": 1}}']).calls).toHaveLength(2);
  });

  it('gives text that only looks like a call back as text', () => {
    for (const family of ['hermes', 'llama3_json', 'mistral'] as const) {
      for (const output of ['<tool_call>not json</tool_call> done', '{not a call}', '[link](https://example.com)', 'Plain < text [ with {braces}']) {
        for (const parts of cuts(output)) expect(parse(family, parts)).toEqual({ text: output, calls: [] });
      }
    }
  });

  it('reads a call forced by a grammar (the whole answer is its JSON)', () => {
    expect(parse('hermes', ['{"name": "get_weather", ', '"arguments": {"city": "Paris", "unit": "c"}}'], true).calls).toEqual([weather]);
  });

  it('tells a template family from what the template writes', () => {
    expect(toolFamilyOf('{% if tools %}<tool_call>{{ tools }}{% endif %}')).toBe('hermes');
    expect(toolFamilyOf('{% for t in tools %}{% endfor %}<|python_tag|>')).toBe('llama3_json');
    expect(toolFamilyOf('[AVAILABLE_TOOLS]{{ tools }}')).toBe('mistral');
    expect(toolFamilyOf('{{ messages }}<tool_call>')).toBeUndefined();
  });
});

describe('<think> split from the text, cut at every character', () => {
  function split(mode: 'tags' | 'open', parts: string[]) {
    const splitter = new ThinkSplitter(mode);
    let reasoning = '';
    let text = '';
    for (const part of [...parts.map((p) => splitter.push(p)), splitter.end()]) {
      reasoning += part.reasoning;
      text += part.text;
    }
    return { reasoning, text };
  }

  it.each([
    ['tags', '<think>\nThe user greets me.\n</think>\n\nHello!', { reasoning: '\nThe user greets me.\n', text: 'Hello!' }],
    ['tags', 'Hello! No thinking here.', { reasoning: '', text: 'Hello! No thinking here.' }],
    ['tags', '<b>bold</b> answer', { reasoning: '', text: '<b>bold</b> answer' }],
    ['open', 'The user greets me.</think>\n\nHello!', { reasoning: 'The user greets me.', text: 'Hello!' }],
    ['open', '<think>x</think>y', { reasoning: 'x', text: 'y' }],
    ['open', 'cut short while thinking', { reasoning: 'cut short while thinking', text: '' }],
  ] as const)('%s: %j', (mode, output, expected) => {
    for (const parts of cuts(output)) expect(split(mode, parts)).toEqual(expected);
  });

  it('splits `<thi` + `nk>` and `</thi` + `nk>` one character at a time', () => {
    expect(split('tags', [...'<think>a</think>b'])).toEqual({ reasoning: 'a', text: 'b' });
  });
});

const delta = (d: DeltaEvent['delta'], finishReason?: DeltaEvent['finishReason']): ChatStreamEvent => ({
  type: 'delta',
  index: 0,
  delta: d,
  finishReason,
});

async function collect(events: ChatStreamEvent[], conventions?: Parameters<typeof normaliseStream>[1]) {
  async function* source() {
    yield* events;
  }
  const out: DeltaEvent[] = [];
  for await (const e of normaliseStream(source(), conventions)) if (e.type === 'delta') out.push(e);
  const calls = new Map<number, { id?: string; name?: string; arguments: string }>();
  let content = '';
  let reasoning = '';
  for (const e of out) {
    content += e.delta.content ?? '';
    reasoning += (e.delta.reasoning_content as string | undefined) ?? '';
    for (const c of (e.delta.tool_calls as { index: number; id?: string; function: { name?: string; arguments?: string } }[] | undefined) ?? []) {
      const call = calls.get(c.index) ?? { arguments: '' };
      if (c.id) {
        // The first delta of a call names it, with empty arguments: OpenAI's shape.
        expect(call.id).toBeUndefined();
        expect(c.function.arguments).toBe('');
        call.id = c.id;
        call.name = c.function.name;
      } else expect(c.function.name).toBeUndefined();
      call.arguments += c.function.arguments ?? '';
      calls.set(c.index, call);
    }
  }
  return { content, reasoning, calls: [...calls.values()], finish: out.at(-1)?.finishReason, events: out };
}

describe('streamed answers in OpenAI shape', () => {
  it('TGI 3.2: id "0", name then raw argument tokens, no finish reason at all', async () => {
    const out = await collect([
      delta({
        role: 'assistant',
        content: null,
        tool_calls: [{ index: 0, id: '0', type: 'function', function: { name: 'get_weather', arguments: '{' } }],
      }),
      delta({
        role: 'assistant',
        content: null,
        tool_calls: [{ index: 0, id: '0', type: 'function', function: { name: null, arguments: ' "city": "Par' } }],
      }),
      delta({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: '0', type: 'function', function: { name: null, arguments: 'is"}' } }] }),
    ]);
    expect(out.calls).toEqual([{ id: '0', name: 'get_weather', arguments: '{ "city": "Paris"}' }]);
    expect(out.finish).toBe('tool_calls');
  });

  it('TGI up to 3.1: the grammar JSON in one object, a token at a time', async () => {
    const raw = '{"function": {"_name": "get_weather", "city": "Paris"}}';
    const out = await collect([
      ...[...raw].map((ch) => delta({ tool_calls: { index: 0, id: '', type: 'function', function: { name: null, arguments: ch } } })),
      delta({}, 'stop'),
    ]);
    expect(out.calls).toEqual([{ id: expect.stringMatching(/^call_/), name: 'get_weather', arguments: '{"city":"Paris"}' }]);
    expect(out.finish).toBe('tool_calls');
  });

  it("vLLM's Hermes parser: a lost closing brace and a parameterless call's missing arguments are repaired", async () => {
    const out = await collect([
      delta({ tool_calls: [{ index: 0, id: 'chatcmpl-tool-1', type: 'function', function: { name: 'a' } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '{"x": 1' } }] }),
      delta({ tool_calls: [{ index: 1, id: 'chatcmpl-tool-2', type: 'function', function: { name: 'b' } }] }),
      delta({}, 'tool_calls'),
    ]);
    expect(out.calls.map((c) => JSON.parse(c.arguments))).toEqual([{ x: 1 }, {}]);
    expect(out.calls.map((c) => c.id)).toEqual(['chatcmpl-tool-1', 'chatcmpl-tool-2']);
  });

  it('a whole call sent at once is split into the announcing delta and the arguments', async () => {
    const out = await collect([
      delta({ tool_calls: [{ index: 0, id: 'c1', type: 'function', function: { name: 'a', arguments: { x: 1 } } }] }, 'stop'),
    ]);
    expect(out.calls).toEqual([{ id: 'c1', name: 'a', arguments: '{"x":1}' }]);
    expect(out.finish).toBe('tool_calls');
  });

  it("reads vLLM's newer `reasoning` field (once, when both names come) and splits <think> for containers that do not", async () => {
    const fields = await collect([delta({ reasoning: 'hm', reasoning_content: 'hm' }), delta({ content: 'Hi' }), delta({}, 'stop')], {
      thinking: 'tags',
    });
    expect(fields).toMatchObject({ reasoning: 'hm', content: 'Hi' });
    const text = '<think>hm</think>\n\nHi';
    for (const parts of cuts(text)) {
      const tags = await collect([...parts.map((p) => delta({ content: p })), delta({}, 'stop')], { thinking: 'tags' });
      expect(tags).toMatchObject({ reasoning: 'hm', content: 'Hi', finish: 'stop' });
    }
  });

  it('Hermes calls in the text of a server without a tool parser (SGLang), with thinking first', async () => {
    const text = '<think>The user wants weather.</think>\n\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>';
    for (const parts of cuts(text)) {
      const out = await collect([...parts.map((p) => delta({ content: p })), delta({}, 'stop')], {
        thinking: 'tags',
        toolCalls: () => toolCallParser('hermes'),
      });
      expect(out).toMatchObject({ reasoning: 'The user wants weather.', content: '', finish: 'tool_calls' });
      expect(out.calls).toEqual([{ id: expect.stringMatching(/^call_/), name: 'get_weather', arguments: '{"city":"Paris"}' }]);
    }
  });

  it('passes plain text through untouched', async () => {
    const events = [delta({ role: 'assistant', content: '' }), delta({ content: 'Hello' }), delta({ content: ' world' }), delta({}, 'stop')];
    const out = await collect(events);
    expect(out.events).toEqual(events);
  });
});

describe('whole answers in OpenAI shape', () => {
  it("TGI's object arguments, description and finish_reason stop; vLLM's `reasoning`", () => {
    const result = normaliseAnswer(
      {
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: null,
              reasoning: 'hm',
              tool_calls: [{ id: '0', type: 'function', function: { description: null, name: 'a', arguments: { x: 1 } } }],
            },
            finish_reason: 'stop',
          },
        ],
      },
      { thinking: 'tags' },
    );
    expect(result.choices[0]).toEqual({
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        reasoning_content: 'hm',
        tool_calls: [{ id: '0', type: 'function', function: { name: 'a', arguments: '{"x":1}' } }],
      },
      finish_reason: 'tool_calls',
    });
  });
});
