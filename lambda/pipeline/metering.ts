import type { AnswerStream, UsageEvent } from '../models/answer-model.js';
import type { Admission, AnsweredRequest } from '../usage/usage.js';
import type { AnswerScope } from './answer-scope.js';

const handedToStreams = new WeakSet<Admission>();

/** Whether the admission is metered by a stream still running (so the request's end must not free it). */
export const meteredByStream = (admission: Admission): boolean => handedToStreams.has(admission);

/**
 * Meters a whole answer once it has gone out (the write runs after the response, inside the
 * invocation); near a budget's limit, before it goes out (see `Admission.urgent`).
 */
export async function meterWhole({ admission, waitUntil }: AnswerScope, answer: AnsweredRequest): Promise<void> {
  if (!admission) return;
  const work = admission.record(answer);
  if (admission.urgent) await work;
  else waitUntil(work);
}

/**
 * A stream's events, metered when it ends: with the final usage event, or (a client gone, a failure
 * midway) with the usage of what was generated so far, since those tokens were spent too.
 */
export function meteredStream<Event extends { type: string }>(
  { admission, waitUntil }: AnswerScope,
  asked: Pick<AnsweredRequest, 'api' | 'model'>,
  stream: AnswerStream<Event>,
): AsyncIterableIterator<Event> {
  const events = stream.events;
  if (!admission) return events;
  handedToStreams.add(admission);
  let metered = false;
  const finish = (final = stream.usageSoFar()): Promise<void> | undefined => {
    if (metered) return undefined;
    metered = true;
    const work = admission.record({ ...asked, servedBy: stream.servedBy, usage: final.usage, estimated: final.estimated });
    waitUntil(work);
    return work;
  };
  const iterator: AsyncIterableIterator<Event> = {
    async next() {
      let result: IteratorResult<Event>;
      try {
        result = await events.next();
      } catch (error) {
        finish();
        throw error;
      }
      if (result.done) finish();
      else if (result.value.type === 'usage') {
        // Near a budget's limit the stream's end waits for its cost to be written (see Admission.urgent).
        const work = finish(result.value as unknown as UsageEvent);
        if (admission.urgent) await work;
      }
      return result;
    },
    async return(value?: unknown) {
      finish();
      return events.return ? events.return(value) : { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
