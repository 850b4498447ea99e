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
  /** What opens the stream, once its first event is in (some APIs announce the answer before its first delta). */
  start?(): string;
  /** The SSE text for one event, or '' when it produces none. */
  encode(event: E): string;
  /** What closes a stream that ran to its end (work the API does at the end, such as storing the answer, may be awaited). */
  end(): string | Promise<string>;
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

/**
 * The SSE body of a streamed answer. Pull-based: the next upstream event is read only when the
 * consumer wants more, so a slow client slows the upstream read instead of filling memory. Once bytes
 * have gone out the status is committed, so a later failure becomes an error event (logged with its
 * code and cause) and the stream still ends cleanly.
 *
 * While the consumer waits and the upstream is silent (a reasoning model thinking), a `: ping` comment
 * goes out every `keepaliveMs`, so proxies and load balancers do not take the silence for a dead
 * connection (docs/wire-facts.md §9). The body exists only once the first event is in (`events` holds
 * it), so pings never come before the status is known, and the timer starts with the second read.
 * One timer per stream, restarted by each read (a timer and a promise race per event cost more than
 * relaying the event itself); it pings only while a read waits and the client has taken what was sent.
 */
export function sseBody<E>(events: AsyncIterator<E>, encoder: SseEncoder<E>, options: SseBodyOptions): ReadableStream<Uint8Array> {
  const { requestId, onCancel, signal, keepaliveMs = 0, onEnd } = options;
  const utf8 = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** A read of the upstream is under way. */
  let waiting = false;
  let ended = false;
  let opened = encoder.start === undefined;
  /** The first event is in hand when the body is made: its read never waits, so no ping timer is armed for it. */
  let firstRead = true;

  const end = () => {
    if (ended) return;
    ended = true;
    if (timer !== undefined) clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    onEnd?.();
  };
  const finish = (tail: string) => {
    controller.enqueue(utf8.encode(tail));
    controller.close();
    end();
  };
  const fail = (error: unknown) => {
    if (ended) return;
    const failure = toGatewayError(error);
    log.error('stream failed after its first byte', { requestId, status: failure.status, code: failure.code, cause: describeCause(failure) });
    finish(encoder.fail(failure));
    // Cut short (the signal), the upstream may still be running: let it go.
    void events.return?.(undefined)?.catch(() => undefined);
  };
  // Ends the stream at once, even while a read waits on an upstream that has not noticed yet.
  const onAbort = () => fail(cutReason(signal!));
  const ping = () => {
    if (!waiting || ended) return;
    // Only into an empty queue: a client that reads nothing gets no pile of pings (backpressure holds).
    if ((controller.desiredSize ?? 0) > 0) controller.enqueue(PING);
    timer!.refresh();
  };
  signal?.addEventListener('abort', onAbort);

  return new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      if (signal?.aborted) onAbort();
    },
    async pull() {
      try {
        if (!opened) {
          opened = true;
          const text = encoder.start!();
          if (text) return controller.enqueue(utf8.encode(text));
        }
        for (;;) {
          if (firstRead) firstRead = false;
          else if (keepaliveMs) {
            // Unref'd: the stream's socket keeps the process alive, not its ping timer.
            if (timer === undefined) timer = setTimeout(ping, keepaliveMs).unref();
            else timer.refresh();
          }
          waiting = true;
          const result = await events.next();
          waiting = false;
          if (ended) return;
          if (result.done) {
            const tail = await encoder.end();
            return ended ? undefined : finish(tail);
          }
          const text = encoder.encode(result.value);
          if (text) {
            controller.enqueue(utf8.encode(text));
            return;
          }
        }
      } catch (error) {
        waiting = false;
        fail(error);
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
