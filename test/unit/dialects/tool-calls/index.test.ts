import { toolCallParser, toolFamilyOf } from '../../../../lambda/dialects/tool-calls/index.js';
import type { ToolCallFamily } from '../../../../lambda/dialects/tool-calls/tool-call-text.js';

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
