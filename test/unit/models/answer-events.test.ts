import type { StreamDecoder } from '../../../lambda/dialects/dialect.js';
import {
  answerChars,
  answerStream,
  decodedEvents,
  started,
  stopSequences,
  wholeAsEvents,
  wholeUsage,
  withFinalUsage,
} from '../../../lambda/models/answer-events.js';
import type { AnswerEvent, ChatStreamEvent } from '../../../lambda/openai/chat-types.js';
import type { Transport } from '../../../lambda/upstreams/index.js';
import { failures } from '../../support/stub-models.js';

/** What every model's answer goes through: its stop sequences, its usage (reported or estimated), its first event. */

const text = (content: string): ChatStreamEvent => ({ type: 'delta', index: 0, delta: { content } });

async function* upstream(events: ChatStreamEvent[], failAfter?: number) {
  for (const [i, event] of events.entries()) {
    if (i === failAfter) throw failures.server();
    yield event;
  }
}

async function all<T>(events: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const event of events) out.push(event);
  return out;
}

describe('stop sequences', () => {
  it("are the client's own, else the model's defaults, plus the container's end-of-turn markers", () => {
    expect(stopSequences(['\n\nUser:'], ['###'], ['<|im_end|>'])).toEqual(['\n\nUser:', '<|im_end|>']);
    expect(stopSequences(undefined, ['###'], ['<|im_end|>'])).toEqual(['###', '<|im_end|>']);
    expect(stopSequences(null, '###')).toEqual(['###']);
  });

  it('take one string for one sequence, and drop empty ones', () => {
    expect(stopSequences('END', undefined)).toEqual(['END']);
    expect(stopSequences(['', 'END'], undefined, [''])).toEqual(['END']);
    expect(stopSequences(undefined, undefined)).toEqual([]);
  });
});

describe('the characters of an answer (for usage estimates)', () => {
  it('count text, thinking and the arguments of tool calls', () => {
    expect(
      answerChars({
        content: 'Hello',
        reasoning_content: 'hmm',
        tool_calls: [{ function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }, { function: {} }],
      }),
    ).toBe(5 + 3 + 16);
    expect(answerChars({ content: null })).toBe(0);
  });
});

describe('a stream with its final usage', () => {
  it("passes the deltas through, then ends with the container's usage as one event", async () => {
    const { events } = withFinalUsage(upstream([text('Hi'), { type: 'usage', usage: { prompt_tokens: 12, completion_tokens: 2 } }, text('!')]), 40);
    expect(await all(events)).toEqual([
      text('Hi'),
      text('!'),
      { type: 'usage', usage: { prompt_tokens: 12, completion_tokens: 2, total_tokens: 14 }, estimated: false },
    ]);
  });

  it('estimates what the container did not report (about four characters a token), and says so', async () => {
    const { events } = withFinalUsage(upstream([text('12345678'), text('9')]), 41);
    const final = (await all(events)).at(-1);
    expect(final).toEqual({ type: 'usage', usage: { prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 }, estimated: true });
    const partly = withFinalUsage(upstream([text('1234'), { type: 'usage', usage: { prompt_tokens: 20 } }]), 400);
    expect((await all(partly.events)).at(-1)).toMatchObject({ usage: { prompt_tokens: 20, completion_tokens: 1 }, estimated: true });
  });

  it('knows the usage so far while it runs, for a stream cut short', async () => {
    const { events, usageSoFar } = withFinalUsage(upstream([text('12345678'), text('12345678'), text('1234')]), 8);
    expect(usageSoFar()).toEqual({ usage: { prompt_tokens: 2, completion_tokens: 0, total_tokens: 2 }, estimated: true });
    await events.next();
    await events.next();
    expect(usageSoFar()).toMatchObject({ usage: { completion_tokens: 4 }, estimated: true });
  });
});

describe('a whole answer', () => {
  it('goes out as a stream for containers that cannot stream: one delta per choice, then its usage', async () => {
    const events = wholeAsEvents(async () => ({
      choices: [
        { index: 0, message: { role: 'assistant', content: 'A' }, finish_reason: 'stop' },
        { index: 1, message: { role: 'assistant', content: 'B', tool_calls: [] }, finish_reason: 'length' },
      ],
      usage: { prompt_tokens: 3, completion_tokens: 2 },
    }));
    expect(await all(events)).toEqual([
      { type: 'delta', index: 0, delta: { content: 'A' }, finishReason: 'stop' },
      { type: 'delta', index: 1, delta: { content: 'B', tool_calls: [] }, finishReason: 'length' },
      { type: 'usage', usage: { prompt_tokens: 3, completion_tokens: 2 } },
    ]);
  });

  it('has its usage completed with estimates over every choice', () => {
    const result = {
      choices: [
        { index: 0, message: { role: 'assistant' as const, content: '1234' }, finish_reason: 'stop' as const },
        { index: 1, message: { role: 'assistant' as const, content: '12345' }, finish_reason: 'stop' as const },
      ],
    };
    expect(wholeUsage(result, 4)).toEqual({ usage: { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 }, estimated: true });
    expect(wholeUsage({ ...result, usage: { prompt_tokens: 9, completion_tokens: 9 } }, 4)).toMatchObject({
      estimated: false,
      usage: { total_tokens: 18 },
    });
  });
});

describe('a started stream', () => {
  it('fails before it resolves when the upstream fails before its first event, so the HTTP status can say so', async () => {
    await expect(started(upstream([text('never')], 0))).rejects.toMatchObject({ status: 502, code: 'upstream_error' });
  });

  it('gives its first event, then the rest, in order', async () => {
    const events = await started(upstream([text('a'), text('b')]));
    expect(await all(events)).toEqual([text('a'), text('b')]);
  });

  it('stops the upstream when the client stops reading', async () => {
    let finished = false;
    async function* tracked() {
      try {
        yield text('a');
        yield text('b');
      } finally {
        finished = true;
      }
    }
    const events = await started(tracked());
    await events.return!();
    expect(finished).toBe(true);
    expect(await events.next()).toMatchObject({ done: true });
  });

  it("is a model's answer stream: who serves it, its events, its usage so far", async () => {
    const stream = await answerStream(upstream([text('abcd'), text('efgh')]), 4, 'qwen-a');
    expect(stream.servedBy).toBe('qwen-a');
    expect(stream.usageSoFar()).toMatchObject({ usage: { completion_tokens: 1 } });
    const events: AnswerEvent[] = await all(stream.events);
    expect(events.map((e) => e.type)).toEqual(['delta', 'delta', 'usage']);
  });
});

describe("a container's stream decoded", () => {
  it('builds the payload, calls the upstream, and decodes its payloads however the bytes are split', async () => {
    const utf8 = new TextEncoder();
    const bodies: string[] = [];
    const transport: Transport = {
      invoke: async () => new Uint8Array(),
      invokeStream: async (body) => {
        bodies.push(body);
        return (async function* () {
          yield utf8.encode('data: {"t":"Hel');
          yield utf8.encode('lo"}\n\ndata: {"t":"!"}\n\ndata: [DONE]\n\n');
        })();
      },
    };
    const decoder: StreamDecoder = { decode: (payload) => [text((JSON.parse(payload) as { t: string }).t)] };
    const events = await all(decodedEvents(transport, async () => '{"inputs":"x"}', decoder, new AbortController().signal));
    expect(events).toEqual([text('Hello'), text('!')]);
    expect(bodies).toEqual(['{"inputs":"x"}']);
  });
});
