import type { ChatResult, ChatStreamEvent } from '../openai/chat-types.js';

/**
 * Stop sequences enforced by the gateway, for containers that do not enforce them (or that leave
 * the sequence in the text, as TGI does) and for chat-template end-of-turn markers. OpenAI's rule:
 * the text ends before the first stop sequence, which is never shown, and finish_reason is `stop`.
 */
export class StopFilter {
  private held = '';
  stopped = false;
  /** The stop sequence the text ended at, once it has. */
  matched: string | undefined;

  constructor(private readonly stops: readonly string[]) {}

  /** The text that is safe to show now; a tail that could begin a stop sequence is held back. */
  push(text: string): string {
    const buffer = this.held + text;
    let cut = -1;
    for (const stop of this.stops) {
      const at = buffer.indexOf(stop);
      if (at !== -1 && (cut === -1 || at < cut)) {
        cut = at;
        this.matched = stop;
      }
    }
    if (cut !== -1) {
      this.stopped = true;
      this.held = '';
      return buffer.slice(0, cut);
    }
    let keep = 0;
    for (const stop of this.stops) {
      for (let k = Math.min(stop.length - 1, buffer.length); k > keep; k--) {
        if (buffer.endsWith(stop.slice(0, k))) {
          keep = k;
          break;
        }
      }
    }
    this.held = buffer.slice(buffer.length - keep);
    return buffer.slice(0, buffer.length - keep);
  }

  /** What was held back, once the choice ends without a stop. */
  flush(): string {
    const rest = this.held;
    this.held = '';
    return rest;
  }
}

/** Stream form: ends each choice at its first stop; ends the stream (cancelling generation) once all have. */
export async function* enforceStops(
  events: AsyncIterable<ChatStreamEvent>,
  stops: readonly string[],
  choices: number,
): AsyncGenerator<ChatStreamEvent> {
  const filters = new Map<number, StopFilter>();
  let stopped = 0;
  for await (const event of events) {
    if (event.type !== 'delta') {
      yield event;
      continue;
    }
    let filter = filters.get(event.index);
    if (!filter) {
      filter = new StopFilter(stops);
      filters.set(event.index, filter);
    }
    if (filter.stopped) continue;
    const content = event.delta.content;
    let text = typeof content === 'string' ? filter.push(content) : undefined;
    if (filter.stopped) {
      yield { ...event, delta: { ...event.delta, content: text }, finishReason: 'stop' };
      if (++stopped >= choices) return;
      continue;
    }
    if (event.finishReason) text = (text ?? '') + filter.flush();
    // A chunk whose text is all held back, and that carries nothing else, is not worth sending.
    if (text === '' && content !== '' && !event.finishReason && Object.keys(event.delta).length === 1) continue;
    yield text === undefined ? event : { ...event, delta: { ...event.delta, content: text } };
  }
  for (const [index, filter] of filters) {
    const rest = filter.flush();
    if (rest) yield { type: 'delta', index, delta: { content: rest } };
  }
}

/** Whole-answer form. */
export function applyStops(result: ChatResult, stops: readonly string[]): ChatResult {
  return {
    ...result,
    choices: result.choices.map((choice) => {
      const content = choice.message.content;
      if (typeof content !== 'string') return choice;
      const filter = new StopFilter(stops);
      const text = filter.push(content);
      return filter.stopped ? { ...choice, message: { ...choice.message, content: text }, finish_reason: 'stop' } : choice;
    }),
  };
}
