import { estimateInputTokens } from '../../../lambda/anthropic/count-tokens.js';
import { parseCountTokensRequest } from '../../../lambda/anthropic/messages-request.js';
import { chatPrompt } from '../../../lambda/anthropic/to-chat-request.js';

const count = (body: Record<string, unknown>) => estimateInputTokens(chatPrompt(parseCountTokensRequest({ model: 'm', ...body })));

describe('count_tokens on a self-hosted model', () => {
  it('estimates about four characters a token over system, messages, calls and tools', () => {
    const base = count({ messages: [{ role: 'user', content: 'x'.repeat(400) }] });
    expect(base).toBe(100);
    expect(count({ system: 'y'.repeat(400), messages: [{ role: 'user', content: 'x'.repeat(400) }] })).toBe(200);
    const tools = [
      { name: 'get_weather', description: 'Weather in a city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } },
    ];
    expect(count({ tools, messages: [{ role: 'user', content: 'x'.repeat(400) }] })).toBeGreaterThan(base);
    const call = count({
      messages: [
        { role: 'user', content: 'x'.repeat(400) },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: { q: 'z'.repeat(400) } }] },
      ],
    });
    expect(call).toBeGreaterThan(base + 99);
  });
});
