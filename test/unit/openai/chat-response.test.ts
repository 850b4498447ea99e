import { GatewayError } from '../../../lambda/core/gateway-error.js';
import { ChunkEncoder } from '../../../lambda/openai/chat-response.js';

describe('chat.completion.chunk encoding', () => {
  const meta = { id: 'chatcmpl-1', created: 7, model: 'm' };
  const usage = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 };
  const chunk = (choices: unknown[], extra = '') =>
    `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":7,"model":"m","choices":${JSON.stringify(choices)}${extra}}\n\n`;

  it.each([
    [
      'adds the role to the first delta',
      [{ type: 'delta', index: 0, delta: { content: 'Hi' } }],
      [chunk([{ index: 0, delta: { role: 'assistant', content: 'Hi' }, logprobs: null, finish_reason: null }])],
    ],
    [
      'drops a repeated role, keeps the finish reason',
      [
        { type: 'delta', index: 0, delta: { role: 'assistant', content: 'a' } },
        { type: 'delta', index: 0, delta: { role: 'assistant', content: 'b' }, finishReason: 'length' },
      ],
      [
        chunk([{ index: 0, delta: { role: 'assistant', content: 'a' }, logprobs: null, finish_reason: null }]),
        chunk([{ index: 0, delta: { content: 'b' }, logprobs: null, finish_reason: 'length' }]),
      ],
    ],
    [
      'gives each choice its own first role',
      [{ type: 'delta', index: 1, delta: { content: 'x' } }],
      [chunk([{ index: 1, delta: { role: 'assistant', content: 'x' }, logprobs: null, finish_reason: null }])],
    ],
    ['holds usage back', [{ type: 'usage', usage, estimated: false }], ['']],
  ] as const)('%s', (_name, events, expected) => {
    const encoder = new ChunkEncoder(meta, true);
    expect(events.map((e) => encoder.encode(e as never))).toEqual(expected);
  });

  it('ends with the usage chunk only when asked for, then [DONE]; a failure ends with an error event', () => {
    const asked = new ChunkEncoder(meta, true);
    asked.encode({ type: 'usage', usage, estimated: false });
    expect(asked.end()).toBe(`${chunk([], `,"usage":${JSON.stringify(usage)}`)}data: [DONE]\n\n`);
    const notAsked = new ChunkEncoder(meta, false);
    notAsked.encode({ type: 'usage', usage, estimated: false });
    expect(notAsked.end()).toBe('data: [DONE]\n\n');
    expect(asked.fail(new GatewayError(502, 'broke', { code: 'upstream_error' }))).toBe(
      'data: {"error":{"message":"broke","type":"api_error","param":null,"code":"upstream_error"}}\n\ndata: [DONE]\n\n',
    );
  });
});
