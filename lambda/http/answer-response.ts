import type { Context } from 'hono';
import type { MeteredAnswer } from '../models/answer-model.js';
import { type Answered, type Ask, answer } from '../pipeline/answer.js';
import type { AnswerScope } from '../pipeline/answer-scope.js';
import { afterResponse } from './after-response.js';
import { clientSignal } from './client-signal.js';
import type { AppDependencies } from './dependencies.js';
import type { AppEnv } from './env.js';
import { eventStreamResponse, jsonResponse } from './respond.js';

/** The pipeline's view of one HTTP request. */
export function scopeOf(c: Context<AppEnv>, { keepaliveMs, inFlight }: AppDependencies): AnswerScope {
  return {
    requestId: c.get('requestId'),
    admission: c.get('usage'),
    cancel: clientSignal(c.req.raw, c.env?.clientGone),
    waitUntil: (work) => afterResponse(c, work),
    keepaliveMs,
    inFlight,
  };
}

/** Sends what the pipeline answered. */
export const sendAnswered = (c: Context<AppEnv>, answered: Answered): Response =>
  answered.stream ? eventStreamResponse(c, answered.body, answered.headers) : jsonResponse(c, answered.body, answered.headers);

/** Answers an API request through the pipeline. */
export async function respond<Request, Whole extends MeteredAnswer, Event extends { type: string }>(
  c: Context<AppEnv>,
  deps: AppDependencies,
  ask: Ask<Request, Whole, Event>,
): Promise<Response> {
  // Only configured names reach logs and metric dimensions, never whatever a client sent.
  c.set('model', ask.model.name);
  return sendAnswered(c, await answer(scopeOf(c, deps), ask));
}
