import { MessageEventWriter, type MessageStreamEvent } from '../../../lambda/anthropic/message-events.js';
import { MessageAccumulator } from '../../../lambda/anthropic/message-object.js';
import { messageStreamEncoder, sseEvent } from '../../../lambda/anthropic/message-sse.js';
import { stopReason } from '../../../lambda/anthropic/stop-reason.js';
import { GatewayError } from '../../../lambda/core/gateway-error.js';
import type { AnswerEvent, DeltaEvent } from '../../../lambda/openai/chat-types.js';

const meta = { id: 'msg_1', model: 'claude-sonnet-4-5', inputTokens: 7 };
const delta = (d: DeltaEvent['delta'], finishReason?: DeltaEvent['finishReason']): AnswerEvent => ({
  type: 'delta',
  index: 0,
  delta: d,
  finishReason,
});
const usage: AnswerEvent = { type: 'usage', usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 }, estimated: false };

function run(events: AnswerEvent[], options: Partial<typeof meta> & { omitThinking?: boolean } = {}) {
  const writer = new MessageEventWriter({ ...meta, ...options });
  const out: MessageStreamEvent[] = [];
  for (const event of events) out.push(...writer.take(event));
  out.push(...writer.end());
  const message = new MessageAccumulator();
  message.add(out);
  return { out, types: out.map((e) => e.type), message: message.result() };
}

/** What a container answers when it thinks, says something, then calls two tools (as the normaliser streams calls). */
const thinkingTextCalls: AnswerEvent[] = [
  delta({ role: 'assistant', content: '' }),
  delta({ reasoning_content: 'The user wants ' }),
  delta({ reasoning_content: 'weather.' }),
  delta({ content: 'Checking.' }),
  delta({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
  delta({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
  delta({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
  delta({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '' } }] }),
  delta({ tool_calls: [{ index: 1, function: { arguments: '{}' } }] }),
  delta({}, 'tool_calls'),
  usage,
];

describe("Anthropic's event sequence from a chat model's answer", () => {
  it('text: message_start, block start, ping, deltas, block stop, message_delta with usage, message_stop', () => {
    const { out, types } = run([delta({ role: 'assistant', content: '' }), delta({ content: 'Hello' }), delta({ content: ' there' }, 'stop'), usage]);
    expect(types).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(out[0]).toEqual({
      type: 'message_start',
      message: {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 7, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      },
    });
    expect(out[6]).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 12, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
  });

  it('thinking, text and calls as blocks 0, 1, 2, 3, each opened and closed in turn; stop_reason tool_use', () => {
    const { out, message } = run(thinkingTextCalls);
    const starts = out.filter((e) => e.type === 'content_block_start');
    expect(starts.map((e) => [e.index, e.content_block.type])).toEqual([
      [0, 'thinking'],
      [1, 'text'],
      [2, 'tool_use'],
      [3, 'tool_use'],
    ]);
    // Every block's events come between its start and its stop, and blocks never overlap.
    let open: number | undefined;
    for (const e of out) {
      if (e.type === 'content_block_start') {
        expect(open).toBeUndefined();
        open = e.index;
      } else if (e.type === 'content_block_delta') expect(e.index).toBe(open);
      else if (e.type === 'content_block_stop') {
        expect(e.index).toBe(open);
        open = undefined;
      }
    }
    expect(
      out
        .filter((e) => e.type === 'content_block_delta' && e.delta.type === 'input_json_delta')
        .map((e) => (e as { delta: { partial_json: string } }).delta.partial_json),
    ).toEqual(['{"city":', '"Paris"}', '{}']);
    expect(message).toMatchObject({
      stop_reason: 'tool_use',
      content: [
        { type: 'thinking', thinking: 'The user wants weather.', signature: '' },
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'call_a', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'call_b', name: 'get_time', input: {} },
      ],
      usage: { input_tokens: 12, output_tokens: 5 },
    });
  });

  it('thinking display "omitted": the thinking block goes out empty', () => {
    const { message, out } = run(thinkingTextCalls, { omitThinking: true });
    expect(message.content[0]).toEqual({ type: 'thinking', thinking: '', signature: '' });
    expect(out.some((e) => e.type === 'content_block_delta' && e.delta.type === 'thinking_delta')).toBe(false);
  });

  it('an empty answer is one empty text block; a stream without usage reports the estimate it started with', () => {
    const { message } = run([delta({ role: 'assistant', content: '' }, 'stop')]);
    expect(message.content).toEqual([{ type: 'text', text: '' }]);
    expect(message.usage).toMatchObject({ input_tokens: 7, output_tokens: 0 });
  });

  it('other choices than the first are not read', () => {
    const { message } = run([delta({ content: 'one' }), { type: 'delta', index: 1, delta: { content: 'two' } }, delta({}, 'stop')]);
    expect(message.content).toEqual([{ type: 'text', text: 'one' }]);
  });

  it('a stop sequence the gateway cut at is named', () => {
    const stopped = { type: 'delta', index: 0, delta: { content: 'a' }, finishReason: 'stop', stopSequence: 'END' } as AnswerEvent;
    expect(run([stopped, usage]).message).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'END' });
  });

  it.each([
    ['stop', undefined, 'end_turn'],
    ['length', undefined, 'max_tokens'],
    ['tool_calls', undefined, 'tool_use'],
    ['function_call', undefined, 'tool_use'],
    ['content_filter', undefined, 'refusal'],
    [null, undefined, 'end_turn'],
    ['stop', '###', 'stop_sequence'],
  ] as const)('finish %s (stop sequence %s) is stop_reason %s', (finish, sequence, reason) => {
    expect(stopReason(finish, sequence)).toBe(reason);
  });
});

describe('the SSE encoding', () => {
  it('names every event by its type, as the Anthropic SDKs require', () => {
    expect(sseEvent({ type: 'ping' })).toBe('event: ping\ndata: {"type":"ping"}\n\n');
    const encoder = messageStreamEncoder(new MessageEventWriter(meta), 'req_9');
    const text = encoder.encode(delta({ content: 'hi' })) + encoder.end();
    const names = [...text.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map(([, name, data]) => [name, JSON.parse(data!).type]);
    expect(names.every(([name, type]) => name === type)).toBe(true);
    expect(names.map(([name]) => name)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it('a failure midway is an error event in Anthropic shape', () => {
    const encoder = messageStreamEncoder(new MessageEventWriter(meta), 'req_9');
    const failure = new GatewayError(429, 'not ready', { code: 'model_not_ready' });
    expect(encoder.fail(failure)).toBe(
      `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'not ready' }, request_id: 'req_9' })}\n\n`,
    );
  });
});
