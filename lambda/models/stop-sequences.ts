import type { ChatResult, ChatStreamEvent } from '../openai/chat-types.js';
import type { EventStep } from './answer-events.js';

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

/**
 * Stream form, a step of `decodedEvents`: ends each choice at its first stop; once all have, the
 * step is `done` and the stream ends (cancelling generation).
 */
export class StreamStops implements EventStep {
  private readonly filters = new Map<number, StopFilter>();
  private stopped = 0;
  done = false;

  constructor(
    private readonly stops: readonly string[],
    private readonly choices: number,
  ) {}

  take(event: ChatStreamEvent): ChatStreamEvent[] {
    if (event.type !== 'delta') return [event];
    let filter = this.filters.get(event.index);
    if (!filter) {
      filter = new StopFilter(this.stops);
      this.filters.set(event.index, filter);
    }
    if (filter.stopped) return [];
    const content = event.delta.content;
    let text = typeof content === 'string' ? filter.push(content) : undefined;
    if (filter.stopped) {
      if (++this.stopped >= this.choices) this.done = true;
      return [{ ...event, delta: { ...event.delta, content: text }, finishReason: 'stop' }];
    }
    if (event.finishReason) text = (text ?? '') + filter.flush();
    // A chunk whose text is all held back, and that carries nothing else, is not worth sending.
    if (text === '' && content !== '' && !event.finishReason && Object.keys(event.delta).length === 1) return [];
    return [text === undefined ? event : { ...event, delta: { ...event.delta, content: text } }];
  }

  /** What each choice held back, once the stream ends without reaching its stops. */
  end(): ChatStreamEvent[] {
    if (this.done) return [];
    const out: ChatStreamEvent[] = [];
    for (const [index, filter] of this.filters) {
      const rest = filter.flush();
      if (rest) out.push({ type: 'delta', index, delta: { content: rest } });
    }
    return out;
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
