import type { UsageApi } from '../dynamodb/table-layout.js';
import type { Answer, AnswerModel, MeteredAnswer } from '../models/answer-model.js';
import type { AnswerEvent } from '../openai/chat-types.js';
import type { AnswerScope } from './answer-scope.js';
import { meteredStream, meterWhole } from './metering.js';
import { servedHeaders } from './served-headers.js';
import { type SseEncoder, sseBody } from './sse-body.js';

/** What an API adapter (chat completions, completions, Responses, Messages) asks the pipeline to answer. */
export interface Ask<Request, Whole extends MeteredAnswer = Answer, Event extends { type: string } = AnswerEvent> {
  /** The API asking, as its usage rows name it. */
  api: UsageApi;
  model: AnswerModel<Request, Whole, Event>;
  request: Request;
  stream: boolean;
  /** Whether the streamed answer shows its usage: then it says, before the first byte, when that is partly estimated. */
  streamShowsUsage: boolean;
  /** The whole answer in the API's shape (it may do its own work first, such as storing the answer). */
  body(answer: Whole): unknown;
  /** How the API writes a streamed answer. */
  encoder(): SseEncoder<Event>;
}

/** The pipeline's answer, for the HTTP layer to send: a JSON body, or an SSE body already under way. */
export type Answered =
  | { stream: false; body: unknown; headers: Record<string, string> }
  | { stream: true; body: ReadableStream<Uint8Array>; headers: Record<string, string> };

/**
 * The one path of an answered request, whichever API asked: the model's whole answer or stream,
 * metering, served-by headers, keep-alive pings, cancellation and the in-flight tracking a graceful
 * shutdown needs. A step every answer needs (a cache lookup, a guardrail, a span export) goes here.
 */
export async function answer<Request, Whole extends MeteredAnswer, Event extends { type: string }>(
  scope: AnswerScope,
  ask: Ask<Request, Whole, Event>,
): Promise<Answered> {
  const { model, request } = ask;
  const { cancel } = scope;
  // Until its answer has ended (a stream: its last byte), so a shutdown can wait for it or cut it.
  const done = scope.inFlight?.track(cancel);
  let streaming = false;
  try {
    if (!ask.stream) {
      const whole = await model.complete(request, cancel.signal);
      const body = await ask.body(whole);
      await meterWhole(scope, { api: ask.api, model: model.name, servedBy: whole.servedBy, usage: whole.usage, estimated: whole.estimated });
      return { stream: false, body, headers: servedHeaders(whole, whole.estimated) };
    }
    // Resolves once the first event is in, so an upstream failure still gets its own HTTP status.
    const stream = await model.stream(request, cancel.signal);
    const body = sseBody(meteredStream(scope, { api: ask.api, model: model.name }, stream), ask.encoder(), {
      requestId: scope.requestId,
      onCancel: () => cancel.abort(),
      signal: cancel.signal,
      keepaliveMs: scope.keepaliveMs,
      onEnd: done,
    });
    streaming = true;
    // Known before the first byte: this model does not report (all of) its usage.
    return { stream: true, body, headers: servedHeaders(stream, ask.streamShowsUsage && !model.reportsUsage) };
  } finally {
    if (!streaming) done?.();
  }
}
