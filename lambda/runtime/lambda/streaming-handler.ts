import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Context, LambdaFunctionURLEvent, StreamifyHandler } from 'aws-lambda';
import type { ExecutionContext } from 'hono';
import { GatewayError } from '../../core/gateway-error.js';
import { log } from '../../core/log.js';
import { PendingWork } from '../../http/after-response.js';
import { metadataFromResponse, requestFromEvent } from './function-url-event.js';

/** Time kept back before the function's timeout to end the stream cleanly with an error event. */
const DEADLINE_MARGIN_MS = 1500;
/** How long work after the response (metering) may hold the invocation once the response has ended. */
const AFTER_RESPONSE_MS = 3000;

export type FetchHandler = (request: Request, env: undefined, executionCtx: ExecutionContext) => Response | Promise<Response>;

/**
 * A Function URL (RESPONSE_STREAM) handler around any web `fetch` handler, on the runtime's
 * `awslambda.streamifyResponse` and `HttpResponseStream`: the status and headers go in the prelude,
 * the body is piped with backpressure, and the upstream call is aborted when the function nears its
 * timeout. Work handed to the execution context's `waitUntil` (metering) is awaited, for a bounded
 * time, after the response has ended and before the handler returns: a frozen container would leave
 * it in flight (docs/wire-facts.md §4).
 */
export function streamingHandler(fetch: FetchHandler): StreamifyHandler<LambdaFunctionURLEvent, void> {
  return awslambda.streamifyResponse(async (event, responseStream, context: Context) => {
    const controller = new AbortController();
    const deadline = setTimeout(
      () => controller.abort(new GatewayError(504, 'The gateway reached its time limit before the model finished.', { code: 'gateway_timeout' })),
      Math.max(0, context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS),
    );
    // Lambda keeps reading a stream whose client has left and tells the function nothing (docs/wire-facts.md §14):
    // this fires only if the runtime's own connection fails. The deadline is the bound that always fires.
    const onClose = () => controller.abort();
    responseStream.once('close', onClose);
    const after = new PendingWork();
    try {
      const response = await fetch(requestFromEvent(event, controller.signal), undefined, after.executionContext);
      const out = awslambda.HttpResponseStream.from(responseStream, { ...metadataFromResponse(response) });
      if (!response.body) {
        // The prelude goes out on the first write; an empty write still sends the status.
        out.write(new Uint8Array(0));
        out.end();
        return;
      }
      await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), out);
    } catch (error) {
      // Only reached when the client vanished mid-stream: there is no one left to tell.
      log.warn('response stream ended early', { error: (error as Error).name });
    } finally {
      clearTimeout(deadline);
      responseStream.off('close', onClose);
      const limit = Math.max(0, Math.min(AFTER_RESPONSE_MS, context.getRemainingTimeInMillis() - 500));
      if (!(await after.settle(limit))) log.warn('work after the response did not finish in time', { limitMs: limit });
    }
  });
}
