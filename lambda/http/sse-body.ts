import { describeCause, toGatewayError } from '../core/gateway-error.js';
import { log } from '../core/log.js';

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  // Ask proxies (and Lambda's own buffering layers) not to hold chunks back.
  'x-accel-buffering': 'no',
  // Says "no length coming": @hono/node-server otherwise reads ahead to size the body and waits a
  // timer tick for the second chunk before sending the first (measured: most of the added time to
  // first token). Hop-by-hop, so the Lambda adapter leaves it out of the prelude.
  'transfer-encoding': 'chunked',
};

/** How one API writes its stream: events as SSE text, and how a stream ends, well or not. */
export interface SseEncoder<E> {
  /** The SSE text for one event, or '' when it produces none. */
  encode(event: E): string;
  /** What closes a stream that ran to its end. */
  end(): string;
  /** What closes a stream that failed after its first byte (an error event, then the usual end). */
  fail(error: ReturnType<typeof toGatewayError>): string;
}

/**
 * The SSE body of a streamed answer. Pull-based: the next upstream event is read only when the
 * consumer wants more, so a slow client slows the upstream read instead of filling memory. Once bytes
 * have gone out the status is committed, so a later failure becomes an error event (logged with its
 * code and cause) and the stream still ends cleanly.
 */
export function sseBody<E>(
  events: AsyncIterator<E>,
  encoder: SseEncoder<E>,
  { onCancel, requestId }: { onCancel: () => void; requestId: string },
): ReadableStream<Uint8Array> {
  const utf8 = new TextEncoder();
  const finish = (controller: ReadableStreamDefaultController<Uint8Array>, tail: string) => {
    controller.enqueue(utf8.encode(tail));
    controller.close();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        for (;;) {
          const result = await events.next();
          if (result.done) return finish(controller, encoder.end());
          const text = encoder.encode(result.value);
          if (text) {
            controller.enqueue(utf8.encode(text));
            return;
          }
        }
      } catch (error) {
        const failure = toGatewayError(error);
        log.error('stream failed after its first byte', { requestId, status: failure.status, code: failure.code, cause: describeCause(failure) });
        finish(controller, encoder.fail(failure));
      }
    },
    cancel() {
      onCancel();
      void events.return?.(undefined).catch(() => undefined);
    },
  });
}
