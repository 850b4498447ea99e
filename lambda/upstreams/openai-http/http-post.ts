import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** A connection not made in this long is given up (the answer itself may take minutes: no timeout on it). */
const CONNECT_TIMEOUT_MS = 10_000;

let agents: { http: HttpAgent; https: HttpsAgent } | undefined;
let maxSockets = 1000;

/** Connections per upstream host (the local server's concurrency; one request at a time on Lambda). */
export function configureHttpAgents(max: number): void {
  maxSockets = max;
  agents = undefined;
}

/** One keep-alive agent per protocol per container: connections to upstreams are reused across requests. */
function agentsOnce() {
  agents ??= { http: new HttpAgent({ keepAlive: true, maxSockets }), https: new HttpsAgent({ keepAlive: true, maxSockets }) };
  return agents;
}

/** Where a POST goes, parsed once per transport rather than once per request. */
export interface PostTarget {
  secure: boolean;
  hostname: string;
  port: number;
  path: string;
}

export function postTarget(url: URL): PostTarget {
  const secure = url.protocol === 'https:';
  return {
    secure,
    // Node wants IPv6 literals without their URL brackets.
    hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
    port: url.port ? Number(url.port) : secure ? 443 : 80,
    path: `${url.pathname}${url.search}`,
  };
}

/**
 * A POST with Node's own HTTP client: the answer's status and headers once they arrive, its body as the
 * message to read. Measured against `fetch` in `npm run bench`: undici's fetch and its web streams cost
 * a request about as much again as the rest of the gateway's work, for nothing the gateway needs.
 * The signal aborts the call (a client gone, a router's timeout) at any point, body included.
 * `headers` is the caller's own object for this request: the body's length is added to it.
 */
export function httpPost(target: PostTarget, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(aborted(signal));
    const { secure, hostname, port, path } = target;
    headers['content-length'] = String(Buffer.byteLength(body));
    const request = (secure ? httpsRequest : httpRequest)(
      { hostname, port, path, method: 'POST', headers, agent: secure ? agentsOnce().https : agentsOnce().http },
      resolve,
    );
    request.once('error', reject);
    // The signal's own listener rather than the `signal` option, whose end-of-stream tracking costs
    // more than the rest of making the request (measured in `npm run profile -- --openai`). Destroying
    // the request ends its answer's body too, mid-read.
    const onAbort = () => request.destroy(aborted(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    request.once('close', () => signal.removeEventListener('abort', onAbort));
    request.once('socket', (socket) => {
      if (!socket.connecting) return;
      const timer = setTimeout(
        () => request.destroy(Object.assign(new Error(`no connection within ${CONNECT_TIMEOUT_MS} ms`), { code: 'ETIMEDOUT' })),
        CONNECT_TIMEOUT_MS,
      );
      socket.once('connect', () => clearTimeout(timer));
      socket.once('close', () => clearTimeout(timer));
    });
    request.end(body);
  });
}

const aborted = (signal: AbortSignal) =>
  Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR', cause: signal.reason });

/**
 * A message's whole body. Events rather than `for await`: the stream's async iterator sets up more
 * per call than reading a short JSON answer costs. A body cut short (the signal, a reset) fails.
 */
export function readAll(message: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    message.on('data', (chunk: Buffer) => chunks.push(chunk));
    message.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    message.once('error', reject);
    message.once('close', () => {
      if (!message.complete) reject(Object.assign(new Error('the answer ended before its body was complete'), { code: 'ECONNRESET' }));
    });
  });
}

/**
 * A streamed message's body chunk by chunk as it arrives: 'data' events into a small queue, the message
 * paused while its reader is behind (backpressure), instead of the stream's async iterator, whose
 * promises and 'readable' rounds per chunk cost more than relaying the chunk (measured in `npm run
 * profile -- --openai`). A body cut short fails with `fail`'s error; a reader that leaves early
 * (`return`, a stop sequence reached, the client gone) destroys the message: its connection goes,
 * not a half-read answer.
 */
export function bodyChunks(message: IncomingMessage, fail: (error: unknown) => Error): AsyncIterableIterator<Buffer> {
  const queue: Buffer[] = [];
  let waiting: { resolve: (result: IteratorResult<Buffer>) => void; reject: (error: unknown) => void } | undefined;
  let ended = false;
  let failure: Error | undefined;
  const wake = () => {
    const reader = waiting;
    if (!reader) return;
    waiting = undefined;
    if (failure) reader.reject(failure);
    else reader.resolve({ done: true, value: undefined });
  };
  message.on('data', (chunk: Buffer) => {
    if (waiting) {
      const reader = waiting;
      waiting = undefined;
      reader.resolve({ done: false, value: chunk });
    } else {
      queue.push(chunk);
      message.pause();
    }
  });
  message.once('end', () => {
    ended = true;
    wake();
  });
  message.once('error', (error) => {
    failure ??= fail(error);
    wake();
  });
  message.once('close', () => {
    if (!message.complete) failure ??= fail(Object.assign(new Error('the answer ended before its body was complete'), { code: 'ECONNRESET' }));
    ended = true;
    wake();
  });
  const iterator: AsyncIterableIterator<Buffer> = {
    next() {
      const value = queue.shift();
      if (value) {
        if (queue.length === 0 && !ended) message.resume();
        return Promise.resolve({ done: false, value });
      }
      if (failure) return Promise.reject(failure);
      if (ended) return Promise.resolve({ done: true, value: undefined });
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
      });
    },
    return() {
      queue.length = 0;
      ended = true;
      if (!message.complete) message.destroy();
      return Promise.resolve({ done: true, value: undefined });
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
