import { applyStops, StopFilter, StreamStops } from '../../../lambda/models/stop-sequences.js';
import type { ChatStreamEvent } from '../../../lambda/openai/chat-types.js';

/** Every way to cut `text` into two chunks, and into single characters. */
function cuts(text: string): string[][] {
  const chars = [...text];
  const all = chars.map((_, i) => [chars.slice(0, i).join(''), chars.slice(i).join('')]);
  all.push(chars);
  return all;
}

async function run(chunks: string[], stops: string[]) {
  const events: ChatStreamEvent[] = [
    { type: 'delta', index: 0, delta: { role: 'assistant', content: '' } },
    ...chunks.map((content): ChatStreamEvent => ({ type: 'delta', index: 0, delta: { content } })),
    { type: 'delta', index: 0, delta: {}, finishReason: 'length' },
    { type: 'usage', usage: { completion_tokens: 9 } },
  ];
  // As the stream reads them: no event after the step has enough (every choice at its stop).
  const step = new StreamStops(stops, 1);
  const out: ChatStreamEvent[] = [];
  for (const event of events) {
    out.push(...step.take(event));
    if (step.done) break;
  }
  out.push(...step.end());
  const text = out.map((e) => (e.type === 'delta' ? (e.delta.content ?? '') : '')).join('');
  const finish = out.flatMap((e) => (e.type === 'delta' && e.finishReason ? [e.finishReason] : []));
  return { text, finish, out };
}

describe('stop sequences enforced by the gateway', () => {
  it('cuts the text before the first stop however the stream is chunked, and ends with stop', async () => {
    const text = 'Answer: 42.\n\nUser: next question';
    for (const chunks of cuts(text)) {
      expect(await run(chunks, ['\n\nUser:', 'XYZ'])).toMatchObject({ text: 'Answer: 42.', finish: ['stop'] });
    }
  });

  it('gives back held-back text that turned out not to be a stop', async () => {
    for (const chunks of cuts('a <|im the end')) {
      expect(await run(chunks, ['<|im_end|>'])).toMatchObject({ text: 'a <|im the end', finish: ['length'] });
    }
  });

  it('hides template end markers split across tokens', async () => {
    expect((await run(['東京', '<|im_', 'end|>', 'junk'], ['<|im_end|>'])).text).toBe('東京');
  });

  it('ends the stream after the stop, cancelling the rest of the generation', async () => {
    const { out } = await run(['one', ' STOP', ' two', ' three'], ['STOP']);
    expect(out.at(-1)).toMatchObject({ finishReason: 'stop' });
  });

  it('applies to whole answers', () => {
    const result = applyStops({ choices: [{ index: 0, message: { role: 'assistant', content: 'x = 1;\n```\nmore' }, finish_reason: 'length' }] }, [
      '```',
    ]);
    expect(result.choices[0]).toMatchObject({ message: { content: 'x = 1;\n' }, finish_reason: 'stop' });
  });

  it('holds back only what could start a stop sequence', () => {
    const filter = new StopFilter(['</answer>']);
    expect(filter.push('the end </ans')).toBe('the end ');
    expect(filter.push('wer')).toBe('');
    expect(filter.push('> tail')).toBe('');
    expect(filter.stopped).toBe(true);
  });
});
