import { describeCause, GatewayError, toGatewayError } from '../core/gateway-error.js';
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

export interface SseBodyOptions {
  requestId: string;
  /** Stops the request's upstream work: the client has gone (the body was cancelled). */
  onCancel: () => void;
  /**
   * The request's upstream work being cut: the stream ends at once with an error event carrying the
   * signal's reason when it is a GatewayError (the Lambda deadline, a server shutting down).
   */
  signal?: AbortSignal;
  /** A `: ping` comment after this long without an event while the client waits for more (0 or absent: none). */
  keepaliveMs?: number;
  /** Called once when the stream has ended, however it ended. */
  onEnd?: () => void;
}

/** An SSE comment: every SSE parser skips it (the official SDKs included), and proxies see bytes moving. */
const PING = new TextEncoder().encode(': ping\n\n');
const PING_DUE = Symbol('ping');

/**
 * The SSE body of a streamed answer. Pull-based: the next upstream event is read only when the
 * consumer wants more, so a slow client slows the upstream read instead of filling memory. Once bytes
 * have gone out the status is committed, so a later failure becomes an error event (logged with its
 * code and cause) and the stream still ends cleanly.
 *
 * While the consumer waits and the upstream is silent (a reasoning model thinking), a `: ping` comment
 * goes out every `keepaliveMs`, so proxies and load balancers do not take the silence for a dead
 * connection (docs/wire-facts.md §9). The body exists only once the first event is in, so pings never
 * come before the status is known; a ping answers a pull like an event does, so backpressure holds; the
 * one timer of a waiting pull is cleared when the event comes, the stream ends or it is cancelled.
 */
export function sseBody<E>(events: AsyncIterator<E>, encoder: SseEncoder<E>, options: SseBodyOptions): ReadableStream<Uint8Array> {
  const { requestId, onCancel, signal, keepaliveMs = 0, onEnd } = options;
  const utf8 = new TextEncoder();
  /** The upstream event being waited for; kept across a ping. */
  let pending: Promise<IteratorResult<E>> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Ends the current wait early (the signal fired). */
  let interrupt: ((reason: unknown) => void) | undefined;
  let ended = false;

  const stopWaiting = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    interrupt = undefined;
  };
  const onAbort = () => interrupt?.(cutReason(signal!));
  const end = () => {
    if (ended) return;
    ended = true;
    stopWaiting();
    signal?.removeEventListener('abort', onAbort);
    onEnd?.();
  };
  signal?.addEventListener('abort', onAbort);

  /** The next event, or PING_DUE after `keepaliveMs` of silence, or the signal's reason as soon as it fires. */
  const next = (): Promise<IteratorResult<E> | typeof PING_DUE> => {
    if (signal?.aborted) return Promise.reject(cutReason(signal));
    pending ??= events.next();
    if (!keepaliveMs && !signal) return pending;
    return new Promise((resolve, reject) => {
      interrupt = reject;
      if (keepaliveMs) timer = setTimeout(resolve, keepaliveMs, PING_DUE);
      pending!.then(
        (result) => {
          stopWaiting();
          resolve(result);
        },
        (error) => {
          stopWaiting();
          reject(error);
        },
      );
    });
  };

  const finish = (controller: ReadableStreamDefaultController<Uint8Array>, tail: string) => {
    controller.enqueue(utf8.encode(tail));
    controller.close();
    end();
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        for (;;) {
          const result = await next();
          if (ended) return;
          if (result === PING_DUE) {
            controller.enqueue(PING);
            return;
          }
          pending = undefined;
          if (result.done) return finish(controller, encoder.end());
          const text = encoder.encode(result.value);
          if (text) {
            controller.enqueue(utf8.encode(text));
            return;
          }
        }
      } catch (error) {
        if (ended) return;
        const failure = toGatewayError(error);
        log.error('stream failed after its first byte', { requestId, status: failure.status, code: failure.code, cause: describeCause(failure) });
        finish(controller, encoder.fail(failure));
        // Cut short by the signal, the upstream may still be running: let it go.
        void events.return?.(undefined)?.catch(() => undefined);
      }
    },
    cancel() {
      end();
      onCancel();
      void events.return?.(undefined)?.catch(() => undefined);
    },
  });
}

/** Why the upstream work was cut, as the client should read it in the stream. */
function cutReason(signal: AbortSignal): GatewayError {
  return signal.reason instanceof GatewayError
    ? signal.reason
    : new GatewayError(499, 'The client closed the request.', { code: 'client_closed_request' });
}
