import type { StreamDecoder } from '../dialects/dialect.js';
import type { AnswerEvent, AnswerUsage, ChatResult, ChatStreamEvent, ReportedUsage } from '../openai/chat-types.js';
import { completeUsage } from '../openai/usage-estimate.js';
import { DataPayloads } from '../streaming/data-payloads.js';
import type { Transport } from '../upstreams/index.js';
import type { AnswerStream } from './answer-model.js';

/** The client's stop sequences (or the model's default ones) plus the container's end-of-turn markers. */
export function stopSequences(own: unknown, defaults: unknown, endOfTurn: readonly string[] = []): string[] {
  const chosen = own ?? defaults;
  const stops = chosen === undefined || chosen === null ? [] : typeof chosen === 'string' ? [chosen] : [...(chosen as string[])];
  stops.push(...endOfTurn);
  return stops.filter((s) => s.length > 0);
}

/** The characters of an answer (or a delta): text, thinking and call arguments, for usage estimates. */
export function answerChars(message: { content?: unknown; reasoning_content?: unknown; tool_calls?: unknown }): number {
  let chars = typeof message.content === 'string' ? message.content.length : 0;
  if (typeof message.reasoning_content === 'string') chars += message.reasoning_content.length;
  if (Array.isArray(message.tool_calls)) for (const call of message.tool_calls) chars += String(call?.function?.arguments ?? '').length;
  return chars;
}

/**
 * A synchronous step over a stream's events (stop sequences, the normaliser): what one event becomes,
 * what is left once the stream ends, and (`done`) that the stream needs nothing more.
 */
export interface EventStep {
  take(event: ChatStreamEvent): ChatStreamEvent[];
  end(): ChatStreamEvent[];
  readonly done?: boolean;
}

/**
 * A container's streamed answer, decoded into events as its payloads arrive and passed through
 * `steps` in order. One loop for framing, decoding and every step, not an async generator each:
 * each layer's promise round cost the first event a few µs, and every chunk after it too.
 */
export async function* decodedEvents(
  transport: Transport,
  payload: () => Promise<string>,
  decoder: StreamDecoder,
  signal: AbortSignal,
  steps: readonly EventStep[] = [],
): AsyncGenerator<ChatStreamEvent> {
  const bytes = await transport.invokeStream(await payload(), signal);
  const payloads = new DataPayloads();
  const enough = () => steps.some((step) => step.done);
  // Leaving the loop early (a step has enough: every choice at its stop) ends the upstream's body, and so its generation.
  read: for await (const chunk of bytes) {
    for (const data of payloads.push(chunk)) {
      for (const event of decoder.decode(data)) {
        yield* through(steps, 0, [event]);
        if (enough()) break read;
      }
    }
  }
  if (!enough()) {
    flush: for (const data of payloads.flush()) {
      for (const event of decoder.decode(data)) {
        yield* through(steps, 0, [event]);
        if (enough()) break flush;
      }
    }
  }
  // Each step's remains go on through the steps after it.
  for (let i = 0; i < steps.length; i++) yield* through(steps, i + 1, steps[i]!.end());
}

/** Events through the steps from `from` on. */
function through(steps: readonly EventStep[], from: number, events: ChatStreamEvent[]): ChatStreamEvent[] {
  let out = events;
  for (let i = from; i < steps.length && out.length; i++) {
    const step = steps[i]!;
    out = out.length === 1 ? step.take(out[0]!) : out.flatMap((event) => step.take(event));
  }
  return out;
}

/** For containers that cannot stream: one whole answer, sent as a stream. */
export async function* wholeAsEvents(answer: () => Promise<ChatResult>): AsyncGenerator<ChatStreamEvent> {
  const result = await answer();
  for (const choice of result.choices) {
    const { role: _role, ...delta } = choice.message;
    yield { type: 'delta', index: choice.index, delta, finishReason: choice.finish_reason };
  }
  if (result.usage) yield { type: 'usage', usage: result.usage };
}

/**
 * Deltas as they come, then the usage the container reported, completed with estimates, as one last
 * event; meanwhile the usage so far, for a stream that ends early. An iterator of its own rather than
 * an async generator: it runs for every chunk, and a generator's frame and promise round cost more
 * than what it does.
 */
export function withFinalUsage(upstream: AsyncIterable<ChatStreamEvent>, promptChars: number) {
  const source = upstream[Symbol.asyncIterator]();
  let chars = 0;
  let reported: ReportedUsage | undefined;
  let ended = false;
  const take = (result: IteratorResult<ChatStreamEvent>): IteratorResult<AnswerEvent> | Promise<IteratorResult<AnswerEvent>> => {
    if (result.done) {
      if (ended) return { done: true, value: undefined };
      ended = true;
      return { done: false, value: { type: 'usage', ...completeUsage(promptChars, reported, chars) } };
    }
    const event = result.value;
    if (event.type === 'usage') {
      reported = event.usage;
      return source.next().then(take);
    }
    chars += answerChars(event.delta);
    return result as IteratorResult<AnswerEvent>;
  };
  const events: AsyncIterableIterator<AnswerEvent> = {
    next: () => (ended ? Promise.resolve({ done: true, value: undefined }) : source.next().then(take)),
    async return(value?: unknown) {
      ended = true;
      await source.return?.(value);
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => events,
  };
  return { events, usageSoFar: (): AnswerUsage => completeUsage(promptChars, undefined, chars) };
}

/** The usage of a whole answer: the container's report completed with estimates. */
export function wholeUsage(result: ChatResult, promptChars: number): AnswerUsage {
  const chars = result.choices.reduce((n, choice) => n + answerChars(choice.message), 0);
  return completeUsage(promptChars, result.usage, chars);
}

/**
 * The stream with its first event already read: failures before it (refusals, an unreachable
 * upstream) throw here, while the HTTP status can still say so.
 */
export async function started<T>(events: AsyncIterator<T>): Promise<AsyncIterableIterator<T>> {
  const first = await events.next();
  let pending: IteratorResult<T> | undefined = first;
  const iterator: AsyncIterableIterator<T> = {
    next() {
      if (pending) {
        const result = pending;
        pending = undefined;
        return Promise.resolve(result);
      }
      return events.next();
    },
    return(value?: unknown) {
      pending = undefined;
      return events.return ? events.return(value as T) : Promise.resolve({ done: true, value: undefined });
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

/** A model's stream once its first event is in, with its usage so far and who serves it. */
export async function answerStream(upstream: AsyncIterable<ChatStreamEvent>, promptChars: number, servedBy: string): Promise<AnswerStream> {
  const { events, usageSoFar } = withFinalUsage(upstream, promptChars);
  return { events: await started(events), usageSoFar, servedBy };
}
