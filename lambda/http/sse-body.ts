import { ChunkEncoder, SSE_DONE, sseError } from '../openai/chat-response.js';
import type { ChatStreamEvent, ReportedUsage, Usage } from '../openai/chat-types.js';
import { toGatewayError } from './errors.js';

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

export interface SseBodyOptions {
  encoder: ChunkEncoder;
  /** Set when the client asked for `stream_options.include_usage`. */
  usage?: (reported: ReportedUsage | undefined, generatedChars: number) => Usage;
  /** Cuts the upstream call when the client goes away. */
  onCancel: () => void;
}

/**
 * The SSE body of a streamed completion. Pull-based: the next upstream event is read only when the
 * consumer wants more, so a slow client slows the upstream read instead of filling memory. Once bytes
 * have gone out the status is committed, so a later failure becomes an `error` event and the stream
 * still ends cleanly with `[DONE]`.
 */
export function sseBody(
  first: IteratorResult<ChatStreamEvent>,
  events: AsyncIterator<ChatStreamEvent>,
  { encoder, usage, onCancel }: SseBodyOptions,
): ReadableStream<Uint8Array> {
  const utf8 = new TextEncoder();
  let next: IteratorResult<ChatStreamEvent> | undefined = first;
  const finish = (controller: ReadableStreamDefaultController<Uint8Array>, tail: string) => {
    controller.enqueue(utf8.encode(tail + SSE_DONE));
    controller.close();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        for (;;) {
          const result: IteratorResult<ChatStreamEvent> = next ?? (await events.next());
          next = undefined;
          if (result.done) {
            finish(controller, usage ? encoder.encodeUsage(usage(encoder.usage, encoder.generatedChars)) : '');
            return;
          }
          const text = encoder.encode(result.value);
          if (text) {
            controller.enqueue(utf8.encode(text));
            return;
          }
        }
      } catch (error) {
        finish(controller, sseError(toGatewayError(error)));
      }
    },
    cancel() {
      onCancel();
      void events.return?.(undefined).catch(() => undefined);
    },
  });
}
