import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener, type Http2Bindings, type HttpBindings, RequestError } from '@hono/node-server';
import { GatewayError } from '../../core/gateway-error.js';
import { log } from '../../core/log.js';
import { PendingWork } from '../../http/after-response.js';
import type { ClientGone } from '../../http/client-signal.js';
import { errorResponse } from '../../http/error-response.js';
import { isEventStream } from '../../http/respond.js';
import type { InFlight } from '../../pipeline/in-flight.js';
import { answerMalformedRequest } from './malformed-http.js';

/** What the server runs: an app's fetch, and its requests in flight (cut at a shutdown's deadline). */
export interface ServedApp {
  app: { fetch: AppFetch };
  inFlight: InFlight;
}

export interface NodeServer<G extends ServedApp = ServedApp> {
  url: string;
  gateway: G;
  /** Resolves once work after the responses so far (metering) has finished. */
  settled(): Promise<void>;
  /** Stops at once, cutting open connections (work after the responses still finishes). */
  close(): Promise<void>;
  /**
   * Stops gracefully (SIGTERM in a container): accepts no new connection (requests arriving on open
   * ones get a 503 `server_shutting_down` and `Connection: close`, `/ping` included, so load balancers
   * look elsewhere), lets open requests finish for up to `graceMs`, then ends the streams still running
   * with an error event, and closes.
   */
  shutdown(graceMs: number): Promise<void>;
}

/** After the deadline, how long cut streams have to write their error event before connections are closed. */
const CUT_GRACE_MS = 2000;

/**
 * The same Hono app as on Lambda, on a Node HTTP server. Node's own limits do not cap concurrency
 * (no `maxConnections`; its timeouts bound receiving a request, not answering it), so the gateway's
 * SageMaker connection pool (`gateway.max_connections`) is what bounds concurrent model calls. What
 * Node or the adapter refuses before the app sees it (malformed HTTP, a bad Host header) is answered
 * in OpenAI's error shape too, as the app answers everything else.
 */
export async function serveNode<G extends ServedApp>(
  gateway: G,
  { port = 8080, host = '127.0.0.1' }: { port?: number; host?: string } = {},
): Promise<NodeServer<G>> {
  // Work after the response (metering) runs on; Node does not freeze the process as Lambda does.
  const after = new PendingWork();
  const drain = new Drain();
  const listener = getRequestListener(drain.wrap(withNodeShortcuts(gateway.app.fetch, after)), { hostname: host, errorHandler: adapterError });
  const server: Server = createServer(listener);
  server.on('clientError', answerMalformedRequest);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const closed = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    gateway,
    settled: async () => void (await after.settle(10_000)),
    close: async () => {
      const done = closed();
      server.closeAllConnections();
      await done;
      await after.settle(5000);
    },
    async shutdown(graceMs) {
      const done = closed();
      drain.start(() => server.closeIdleConnections());
      log.info('shutting down', { openRequests: drain.open, graceMs });
      if (!(await drain.idle(graceMs))) {
        log.warn('shutdown deadline reached: ending open streams', { openRequests: drain.open });
        gateway.inFlight.abortAll(
          new GatewayError(503, 'The server is shutting down and ended this answer; retry the request.', {
            code: 'server_shutting_down',
            retryAfter: 1,
          }),
        );
        await drain.idle(CUT_GRACE_MS);
      }
      server.closeAllConnections();
      await done;
      await after.settle(5000);
    },
  };
}

/**
 * What @hono/node-server throws before or around the app: a request it cannot turn into a web
 * Request (a bad Host header, an invalid absolute URL) is the client's 400; anything else is ours.
 * Its default answers have empty bodies.
 */
function adapterError(error: unknown): Response {
  const gatewayError =
    error instanceof RequestError
      ? new GatewayError(400, `The request could not be read: ${error.message}.`, { code: 'invalid_request' })
      : new GatewayError(500, 'The gateway failed to process the request.', { code: 'internal_error', cause: error });
  if (gatewayError.status >= 500) log.error('unexpected error', { error: String(error), stack: (error as Error).stack });
  return new Response(JSON.stringify(gatewayError.toJSON()), { status: gatewayError.status, headers: { 'content-type': 'application/json' } });
}

/**
 * Open requests, counted until their response has gone (or its connection closed), and the switch that
 * turns new ones away while the server drains.
 */
class Drain {
  open = 0;
  private draining = false;
  private onIdle: (() => void) | undefined;
  private closeIdle: (() => void) | undefined;

  wrap(fetch: NodeFetch): NodeFetch {
    return (request, env) => {
      const { outgoing } = env as HttpBindings;
      if (this.draining) {
        outgoing.setHeader('connection', 'close');
        return errorResponse(
          new GatewayError(503, 'The server is shutting down; retry the request.', { code: 'server_shutting_down', retryAfter: 1 }),
        );
      }
      this.open++;
      outgoing.once('close', this.closed);
      return fetch(request, env);
    };
  }

  private readonly closed = () => {
    this.open--;
    if (!this.draining) return;
    // Keep-alive connections left idle by a finished answer are closed too.
    this.closeIdle?.();
    if (this.open === 0) this.onIdle?.();
  };

  start(closeIdle: () => void): void {
    this.draining = true;
    this.closeIdle = closeIdle;
    closeIdle();
  }

  /** Whether every open request finished within `ms`. */
  idle(ms: number): Promise<boolean> {
    if (this.open === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.onIdle = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }
}

type NodeFetch = (request: Request, env: HttpBindings | Http2Bindings) => Response | Promise<Response>;
type AppFetch = (
  request: Request,
  env: (HttpBindings | Http2Bindings) & { clientGone: ClientGone },
  executionCtx: PendingWork['executionContext'],
) => Response | Promise<Response>;

/**
 * The app with an execution context (its `waitUntil` collects work after the response, as the Lambda
 * adapter's does), and three shortcuts around @hono/node-server's generic paths:
 * - A body that arrived with its headers (every ordinary chat request) is taken from the socket's
 *   buffer at once and handed over as `incoming.rawBody`, the buffer node-server reads bodies from
 *   when a host already holds them, instead of a round of stream events (about 0.07 ms before the
 *   SageMaker call in `npm run bench`).
 * - The client leaving is told by the response's 'close' (`clientGone`), not by the web Request's
 *   signal, which node-server makes on first use (an AbortController and a listener per request).
 * - A stream's headers go out in the same write as its first chunk: node-server flushes them on their
 *   own, a second packet and a second wake-up for the client before the first token. The app answers
 *   a stream only once its first chunk is ready, so holding the headers back delays nothing.
 */
function withNodeShortcuts(fetch: AppFetch, after: PendingWork): NodeFetch {
  return async (request, env) => {
    // An HTTP/1.1 server (see serve() above), so these are IncomingMessage and ServerResponse.
    const { incoming, outgoing } = env as HttpBindings;
    // Resumes after the parser has gone through the packet that carried the request line and headers.
    await undefined;
    const length = Number(incoming.headers['content-length']);
    if (length > 0 && incoming.readableLength === length) (incoming as { rawBody?: Buffer }).rawBody = receivedBody(incoming);
    const clientGone: ClientGone = (onGone) => {
      if (outgoing.destroyed) return onGone();
      outgoing.once('close', () => {
        if (!outgoing.writableFinished) onGone();
      });
    };
    const response = await fetch(request, Object.assign(env, { clientGone }), after.executionContext);
    if (isEventStream(response)) firstChunkWithHeaders(outgoing);
    return response;
  };
}

/**
 * Holds a stream's headers back until its first chunk is written, then sends both in one write at
 * once. The chunks that were already in hand with it (an upstream's burst) follow together in one more
 * write, once they have all been encoded: not one write each, and not after them all for the first.
 */
function firstChunkWithHeaders(outgoing: HttpBindings['outgoing']): void {
  outgoing.cork();
  const write = outgoing.write;
  outgoing.write = function (this: typeof outgoing, ...args: Parameters<typeof write>) {
    // Back to the prototype's write for every later chunk.
    delete (outgoing as Partial<typeof outgoing>).write;
    const ok = write.apply(this, args);
    outgoing.uncork();
    outgoing.cork();
    process.nextTick(() => outgoing.uncork());
    return ok;
  } as typeof write;
}

/** The whole body of a request, all of it already in the stream's buffer. */
function receivedBody(incoming: HttpBindings['incoming']): Buffer {
  const parts: Buffer[] = [];
  for (let part: Buffer | null = incoming.read(); part !== null; part = incoming.read()) parts.push(part);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}
