import { StopFilter } from '../models/stop-sequences.js';
import type { AnswerEvent, DeltaEvent } from '../openai/chat-types.js';
import { completeUsage } from '../openai/usage-estimate.js';

/** The delta that ends an answer at a client's stop sequence, saying which one. */
export interface StoppedDelta extends DeltaEvent {
  stopSequence: string;
}

export const stoppedAt = (event: AnswerEvent): string | undefined => (event as Partial<StoppedDelta>).stopSequence;

/**
 * The answer cut at the first of the client's stop sequences (never shown), as Anthropic cuts it:
 * the text before it goes out, the generation is cancelled (the upstream stream is closed), and the
 * answer ends with `stop_reason: "stop_sequence"` naming it. The container's final usage cannot come
 * then, so the usage is the gateway's estimate (as for any stream cut short). Only the answer's text
 * is matched; thinking and call arguments are not, as on Anthropic's API.
 */
export async function* cutAtStopSequences(
  events: AsyncIterable<AnswerEvent>,
  stops: readonly string[],
  promptChars: number,
): AsyncGenerator<AnswerEvent> {
  if (stops.length === 0) {
    yield* events;
    return;
  }
  const filter = new StopFilter(stops);
  let chars = 0;
  for await (const event of events) {
    if (event.type !== 'delta' || event.index !== 0) {
      yield event;
      continue;
    }
    const delta = event.delta;
    chars += deltaChars(delta);
    if (typeof delta.content !== 'string' || delta.content === '') {
      yield event.finishReason ? withFlushed(event, filter.flush()) : event;
      continue;
    }
    const text = filter.push(delta.content);
    if (filter.stopped) {
      const stopped: StoppedDelta = { type: 'delta', index: 0, delta: { content: text }, finishReason: 'stop', stopSequence: filter.matched! };
      yield stopped;
      // Leaving the loop closes the upstream stream, which cancels the generation.
      yield { type: 'usage', ...completeUsage(promptChars, undefined, chars) };
      return;
    }
    yield event.finishReason
      ? withFlushed({ ...event, delta: { ...delta, content: text } }, filter.flush())
      : { ...event, delta: { ...delta, content: text } };
  }
}

/** The text held back (a possible start of a stop sequence) goes out with the choice's last delta. */
function withFlushed(event: DeltaEvent, held: string): DeltaEvent {
  if (!held) return event;
  const content = typeof event.delta.content === 'string' ? event.delta.content : '';
  return { ...event, delta: { ...event.delta, content: content + held } };
}

function deltaChars(delta: DeltaEvent['delta']): number {
  let chars = typeof delta.content === 'string' ? delta.content.length : 0;
  if (typeof delta.reasoning_content === 'string') chars += delta.reasoning_content.length;
  if (Array.isArray(delta.tool_calls)) for (const call of delta.tool_calls) chars += String(call?.function?.arguments ?? '').length;
  return chars;
}
