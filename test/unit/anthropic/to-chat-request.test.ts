import { parseMessagesRequest } from '../../../lambda/anthropic/messages-request.js';
import { toChatRequest } from '../../../lambda/anthropic/to-chat-request.js';
import { TOOL_PARAM } from '../../../lambda/openai/chat-types.js';

const chat = (body: Record<string, unknown>) => toChatRequest(parseMessagesRequest({ model: 'm', max_tokens: 64, ...body }));
const WEATHER = { name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } };

describe('a Messages request as the chat request every model answers', () => {
  it('system blocks and system messages become one leading system message; sampling fields map across', () => {
    const request = chat({
      system: [
        { type: 'text', text: 'One.' },
        { type: 'text', text: 'Two.', cache_control: { type: 'ephemeral' } },
      ],
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0.5,
      top_p: 0.9,
      top_k: 40,
      metadata: { user_id: 'user-7' },
      stop_sequences: ['END'],
    });
    expect(request).toMatchObject({
      model: 'm',
      max_tokens: 64,
      temperature: 0.5,
      top_p: 0.9,
      top_k: 40,
      user: 'user-7',
      stream: true,
      messages: [
        { role: 'system', content: 'One.\n\nTwo.' },
        { role: 'user', content: 'hi' },
      ],
    });
    // The gateway cuts at stop sequences itself, so it knows which one ended the answer.
    expect(request.stop).toBeUndefined();
  });

  it('a tool round trip: tool_use becomes tool_calls, tool_result a tool message ahead of the user text', () => {
    const request = chat({
      tools: [WEATHER],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Use the tool.', signature: 'sig' },
            { type: 'text', text: 'Let me check.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'sunny' }] },
            { type: 'text', text: 'And tomorrow?' },
          ],
        },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: 'Let me check.',
        reasoning_content: 'Use the tool.',
        tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'sunny' },
      { role: 'user', content: 'And tomorrow?' },
    ]);
    expect(request.tools).toEqual([
      { type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: WEATHER.input_schema } },
    ]);
    expect(request.parallel_tool_calls).toBe(false);
  });

  it('an error result says so in its text', () => {
    const request = chat({
      messages: [
        { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'x', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'no such file', is_error: true }] },
      ],
    });
    expect(request.messages[1]).toEqual({ role: 'tool', tool_call_id: 't', content: 'Error:\nno such file' });
  });

  it.each([
    [{ type: 'any' }, 'required'],
    [
      { type: 'tool', name: 'get_weather' },
      { type: 'function', function: { name: 'get_weather' } },
    ],
    [{ type: 'none' }, 'none'],
  ])('tool_choice %j is chat tool_choice %j', (choice, expected) => {
    expect(chat({ tools: [WEATHER], tool_choice: choice, messages: [{ role: 'user', content: 'x' }] }).tool_choice).toEqual(expected);
  });

  it('refuses a tool_choice naming a tool not offered', () => {
    expect(() => chat({ tools: [WEATHER], tool_choice: { type: 'tool', name: 'other' }, messages: [{ role: 'user', content: 'x' }] })).toThrow(
      expect.objectContaining({ param: 'tool_choice.name' }),
    );
  });

  it("Anthropic's server tools go on for the model to refuse by their place (or drop, with drop_params)", () => {
    const request = chat({ tools: [WEATHER, { type: 'web_search_20250305', name: 'web_search' }], messages: [{ role: 'user', content: 'x' }] });
    expect((request.tools![1] as Record<symbol, unknown>)[TOOL_PARAM]).toBe('tools[1]');
    expect(request.tools![1]!.type).toBe('web_search_20250305');
  });

  it('images: base64 as data URLs, URLs as they are, through the chat image path', () => {
    const request = chat({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
            { type: 'text', text: 'What are these?' },
          ],
        },
      ],
    });
    expect(request.messages[0]!.content).toEqual([
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
      { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
      { type: 'text', text: 'What are these?' },
    ]);
  });

  it('text documents are read as text; PDFs and file ids are refused naming the block', () => {
    const request = chat({
      messages: [
        { role: 'user', content: [{ type: 'document', title: 'Notes', source: { type: 'text', media_type: 'text/plain', data: 'Milk.' } }] },
      ],
    });
    expect(request.messages[0]!.content).toBe('Notes\n\nMilk.');
    const pdf = { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } };
    expect(() => chat({ messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }, pdf] }] })).toThrow(
      expect.objectContaining({ status: 400, param: 'messages[0].content[1].source.type' }),
    );
    const file = { type: 'image', source: { type: 'file', file_id: 'file_1' } };
    expect(() => chat({ messages: [{ role: 'user', content: [file] }] })).toThrow(
      expect.objectContaining({ param: 'messages[0].content[0].source.type' }),
    );
  });

  it('refuses blocks it cannot pass on, by their path', () => {
    expect(() => chat({ messages: [{ role: 'user', content: [{ type: 'search_result', source: 's', title: 't', content: [] }] }] })).toThrow(
      expect.objectContaining({ param: 'messages[0].content[0].type' }),
    );
    expect(() => chat({ messages: [{ role: 'assistant', content: [{ type: 'redacted_thinking', data: 'xyz' }] }] })).toThrow(
      expect.objectContaining({ param: 'messages[0].content[0].type' }),
    );
  });

  it('thinking budgets and effort as reasoning_effort; adaptive leaves it to the model', () => {
    const ask = { messages: [{ role: 'user', content: 'x' }] };
    expect(chat({ ...ask, thinking: { type: 'enabled', budget_tokens: 1024 } }).reasoning_effort).toBe('low');
    expect(chat({ ...ask, thinking: { type: 'enabled', budget_tokens: 10000 } }).reasoning_effort).toBe('medium');
    expect(chat({ ...ask, thinking: { type: 'enabled', budget_tokens: 32000 } }).reasoning_effort).toBe('high');
    expect(chat({ ...ask, thinking: { type: 'adaptive' } }).reasoning_effort).toBeUndefined();
    expect(chat({ ...ask, thinking: { type: 'adaptive' }, output_config: { effort: 'max' } }).reasoning_effort).toBe('high');
  });

  it('a JSON schema output format is a json_schema answer', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    expect(chat({ messages: [{ role: 'user', content: 'x' }], output_config: { format: { type: 'json_schema', schema } } }).response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'output', schema },
    });
  });

  it('clear_thinking keeping the last turn drops the thinking of earlier turns', () => {
    const turn = (n: number) => ({
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: `t${n}`, signature: '' },
        { type: 'text', text: `a${n}` },
      ],
    });
    const messages = [{ role: 'user', content: 'q1' }, turn(1), { role: 'user', content: 'q2' }, turn(2), { role: 'user', content: 'q3' }];
    const request = chat({
      messages,
      context_management: { edits: [{ type: 'clear_thinking_20251015', keep: { type: 'thinking_turns', value: 1 } }] },
    });
    expect(request.messages.map((m) => (m as { reasoning_content?: string }).reasoning_content)).toEqual([
      undefined,
      undefined,
      undefined,
      't2',
      undefined,
    ]);
    const all = chat({ messages, context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] } });
    expect(all.messages.map((m) => (m as { reasoning_content?: string }).reasoning_content)).toEqual([undefined, 't1', undefined, 't2', undefined]);
  });
});
