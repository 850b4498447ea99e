import { cutAtStopSequences, stoppedAt } from '../../../lambda/anthropic/stop-sequences.js';
import type { AnswerEvent } from '../../../lambda/openai/chat-types.js';

async function run(chunks: string[], stops: string[]) {
  let closed = false;
  let produced = 0;
  async function* upstream(): AsyncGenerator<AnswerEvent> {
    try {
      for (const content of chunks) {
        produced++;
        yield { type: 'delta', index: 0, delta: { content } };
      }
      yield { type: 'delta', index: 0, delta: {}, finishReason: 'stop' };
      yield { type: 'usage', usage: { prompt_tokens: 3, completion_tokens: 9, total_tokens: 12 }, estimated: false };
    } finally {
      closed = true;
    }
  }
  const out: AnswerEvent[] = [];
  for await (const event of cutAtStopSequences(upstream(), stops, 12)) out.push(event);
  const text = out.map((e) => (e.type === 'delta' ? (e.delta.content ?? '') : '')).join('');
  return { out, text, closed, produced, stop: out.map(stoppedAt).find(Boolean) };
}

describe('stop sequences cut by the gateway', () => {
  it('cuts before the sequence however the text is chunked, names it, and closes the upstream', async () => {
    const text = 'one two three FOUR five six';
    for (let i = 1; i < text.length; i++) {
      const { text: cut, stop, closed, out } = await run([text.slice(0, i), text.slice(i)], ['FOUR', 'SIX']);
      expect(cut).toBe('one two three ');
      expect(stop).toBe('FOUR');
      expect(closed).toBe(true);
      // The container's usage cannot come: the usage is the gateway's estimate.
      expect(out.at(-1)).toMatchObject({ type: 'usage', estimated: true });
    }
  });

  it('stops reading the upstream at the sequence', async () => {
    const { produced } = await run(['a', 'b STOP', 'c', 'd', 'e'], ['STOP']);
    expect(produced).toBe(2);
  });

  it('the first sequence in the text wins, not the first in the list', async () => {
    expect((await run(['x B y A z'], ['A', 'B'])).stop).toBe('B');
  });

  it('text held back as a possible start of a sequence goes out when the answer ends without it', async () => {
    const { text, stop, out } = await run(['the en', 'd is ne'], ['never']);
    expect(text).toBe('the end is ne');
    expect(stop).toBeUndefined();
    expect(out.at(-1)).toMatchObject({ type: 'usage', estimated: false });
  });

  it('without stop sequences the events pass as they are', async () => {
    const { out } = await run(['a', 'b'], []);
    expect(out).toHaveLength(4);
  });
});
