import { toolCallParser } from '../../../lambda/dialects/tool-calls/index.js';
import { normaliseAnswer, StreamNormaliser } from '../../../lambda/models/answer-normaliser.js';
import type { ChatStreamEvent, DeltaEvent } from '../../../lambda/openai/chat-types.js';

/** Every way of cutting `text` in two (and whole). */
const cuts = (text: string) => Array.from({ length: text.length + 1 }, (_, i) => [text.slice(0, i), text.slice(i)].filter(Boolean));

const delta = (d: DeltaEvent['delta'], finishReason?: DeltaEvent['finishReason']): ChatStreamEvent => ({
  type: 'delta',
  index: 0,
  delta: d,
  finishReason,
});

async function collect(events: ChatStreamEvent[], conventions?: ConstructorParameters<typeof StreamNormaliser>[0]) {
  const normaliser = new StreamNormaliser(conventions);
  const out: DeltaEvent[] = [];
  for (const e of [...events.flatMap((event) => normaliser.take(event)), ...normaliser.end()]) if (e.type === 'delta') out.push(e);
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
