import type { Context, MiddlewareHandler } from 'hono';
import type { AnswerEvent, AnswerUsage } from '../openai/chat-types.js';
import type { AnsweredRequest } from '../usage/usage.js';
import { afterResponse } from './after-response.js';
import type { AppDependencies } from './dependencies.js';
import type { AppEnv } from './env.js';

/**
 * Budgets and shared limits before a model call, metering after its answer (README, "Usage, budgets
 * and limits"). Every route that calls a model (chat, completions, embeddings, responses) is admitted here; routes then
 * report their answer with `meterAnswer` or `meterStream`, and a request that ends without an answer
 * frees its place in its budgets.
 */
export function usageGate({ usage }: AppDependencies): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const admission = await usage.admit(c.get('principal'), c.get('requestId'));
    c.set('usage', admission);
    try {
      await next();
    } finally {
      // A no-op once the answer was metered or handed to a stream's meter.
      if (!streaming.has(admission)) admission.release();
    }
  };
}

const streaming = new WeakSet<object>();

/**
 * Meters a whole answer once it has gone out (the write runs after the response, inside the
 * invocation); near a budget's limit, before it goes out (see `Admission.urgent`).
 */
export async function meterAnswer(c: Context<AppEnv>, answer: AnsweredRequest): Promise<void> {
  const admission = c.get('usage');
  if (!admission) return;
  const work = admission.record(answer);
  if (admission.urgent) await work;
  else afterResponse(c, work);
}

/**
 * A stream's events, metered when it ends: with the final usage event, or (a client gone, a failure
 * midway) with an estimate of what was generated so far, since those tokens were spent too.
 */
export function meterStream(
  c: Context<AppEnv>,
  events: AsyncIterableIterator<AnswerEvent>,
  answer: { model: string; servedBy: string; estimate: (completionChars: number) => AnswerUsage },
): AsyncIterableIterator<AnswerEvent> {
  const admission = c.get('usage');
  if (!admission) return events;
  streaming.add(admission);
  let chars = 0;
  let metered = false;
  const finish = (final?: AnswerUsage): Promise<void> | undefined => {
    if (metered) return undefined;
    metered = true;
    const { usage, estimated } = final ?? answer.estimate(chars);
    const work = admission.record({ model: answer.model, servedBy: answer.servedBy, usage, estimated });
    afterResponse(c, work);
    return work;
  };
  const iterator: AsyncIterableIterator<AnswerEvent> = {
    async next() {
      let result: IteratorResult<AnswerEvent>;
      try {
        result = await events.next();
      } catch (error) {
        finish();
        throw error;
      }
      if (result.done) finish();
      else if (result.value.type === 'usage') {
        // Near a budget's limit the stream's end waits for its cost to be written (see Admission.urgent).
        const work = finish(result.value);
        if (admission.urgent) await work;
      } else chars += deltaChars(result.value.delta);
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

/** The characters a delta carries (text, thinking, call arguments), for the estimate of a stream cut short. */
function deltaChars(delta: { content?: string | null; [field: string]: unknown }): number {
  let chars = typeof delta.content === 'string' ? delta.content.length : 0;
  if (typeof delta.reasoning_content === 'string') chars += delta.reasoning_content.length;
  const calls = delta.tool_calls;
  if (Array.isArray(calls)) for (const call of calls) chars += String(call?.function?.arguments ?? '').length;
  return chars;
}
