import { messageFromAnswer } from '../../../lambda/anthropic/message-object.js';
import { messagesModel } from '../../../lambda/anthropic/messages-model.js';
import type { AnswerModel, AnswerStream } from '../../../lambda/models/answer-model.js';
import type { ChatRequest } from '../../../lambda/openai/chat-request.js';
import type { AnswerEvent } from '../../../lambda/openai/chat-types.js';

const request = { model: 'm', messages: [{ role: 'user', content: 'hi' }] } as ChatRequest;
const meta = { id: 'msg_1', model: 'claude-x', inputTokens: 1 };

/** A model whose stream is `events` (it never completes whole: the Messages API always reads streams). */
function fake(events: AnswerEvent[]): AnswerModel<ChatRequest> & { closed: boolean } {
  const model = {
    name: 'm',
    reportsUsage: true,
    closed: false,
    complete: () => Promise.reject(new Error('complete is not used')),
    async stream(): Promise<AnswerStream> {
      async function* gen() {
        try {
          yield* events;
        } finally {
          model.closed = true;
        }
      }
      return {
        events: gen(),
        servedBy: 'dep-1',
        usageSoFar: () => ({ usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }, estimated: true }),
      };
    },
  };
  return model;
}

const usage: AnswerEvent = { type: 'usage', usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 }, estimated: false };

describe('the chat model as the Messages API asks it', () => {
  it('a whole answer is the stream gathered: thinking, text, calls, usage, who served it', async () => {
    const model = fake([
      { type: 'delta', index: 0, delta: { reasoning_content: 'Hmm.' } },
      { type: 'delta', index: 0, delta: { content: 'Let me look.' } },
      { type: 'delta', index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'read', arguments: '' } }] } },
      { type: 'delta', index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"path":"a"}' } }] } },
      { type: 'delta', index: 0, delta: {}, finishReason: 'tool_calls' },
      usage,
    ]);
    const answer = await messagesModel(model, [], 2).complete(request, new AbortController().signal);
    expect(answer).toMatchObject({ servedBy: 'dep-1', usage: { prompt_tokens: 5, completion_tokens: 7 }, estimated: false });
    expect(messageFromAnswer(meta, answer)).toEqual({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-x',
      content: [
        { type: 'thinking', thinking: 'Hmm.', signature: '' },
        { type: 'text', text: 'Let me look.' },
        { type: 'tool_use', id: 'call_1', name: 'read', input: { path: 'a' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 5, output_tokens: 7, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
  });

  it('with stop sequences: cut, named, the upstream closed, and its usage said to be estimated', async () => {
    const model = fake([
      { type: 'delta', index: 0, delta: { content: 'one two ' } },
      { type: 'delta', index: 0, delta: { content: 'three four' } },
      usage,
    ]);
    const wrapped = messagesModel(model, ['three'], 40);
    expect(wrapped.reportsUsage).toBe(false);
    const answer = await wrapped.complete(request, new AbortController().signal);
    expect(model.closed).toBe(true);
    expect(answer.estimated).toBe(true);
    expect(messageFromAnswer(meta, answer)).toMatchObject({
      content: [{ type: 'text', text: 'one two ' }],
      stop_reason: 'stop_sequence',
      stop_sequence: 'three',
    });
  });
});
