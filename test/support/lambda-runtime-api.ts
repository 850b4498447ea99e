import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LambdaFunctionURLEvent } from 'aws-lambda';

/**
 * The Lambda Runtime API (version 2018-06-01) on a local port, for AWS's own runtime client to run
 * against (docs/wire-facts.md §14): `GET /runtime/invocation/next` is held open until an event is
 * queued and answers it with the invocation headers; `POST /runtime/invocation/{id}/response` is read
 * as it streams (chunk by chunk, with the time each arrived, trailers at the end);
 * `POST .../{id}/error` and `POST /runtime/init/error` are recorded. `functionUrl()` puts a Function
 * URL in front: HTTP in, a payload 2.0 event, the prelude parsed back into status, headers and cookies.
 * As the service does, it never resets a response connection: a viewer who leaves is the Function
 * URL's business, and the function's stream is read to its end (docs/wire-facts.md §14).
 */
const BASE = '/2018-06-01/runtime';
export const PRELUDE_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const DELIMITER = Buffer.alloc(8);

export const FUNCTION_NAME = 'sagegate';
export const FUNCTION_ARN = `arn:aws:lambda:us-east-1:123456789012:function:${FUNCTION_NAME}`;

export interface Chunk {
  at: number;
  bytes: Buffer;
}

export interface ErrorReport {
  errorType?: string;
  errorMessage?: string;
  trace?: string[];
}

export interface Prelude {
  statusCode: number;
  headers?: Record<string, string>;
  cookies?: string[];
}

/** How an invocation ended, as the Runtime API saw it. */
export type Outcome =
  | {
      kind: 'response';
      headers: IncomingHttpHeaders;
      body: Buffer;
      /** HTTP trailers sent after the last chunk (the runtime's error report), lower-case names. */
      trailers: Record<string, string>;
      endedAt: number;
    }
  | { kind: 'error'; errorType: string | undefined; body: ErrorReport; endedAt: number }
  /** The runtime's response connection went away before its last chunk (the process died mid-stream). */
  | { kind: 'cut'; headers: IncomingHttpHeaders; body: Buffer; endedAt: number };

export interface InvokeOptions {
  /** The function's timeout: the deadline header is this far from delivery (default 30 s). */
  timeoutMs?: number;
  traceId?: string;
}

export class Invocation {
  readonly requestId = crypto.randomUUID();
  readonly traceId: string;
  /** When the runtime took the event (its /next answered). */
  deliveredAt = 0;
  deadlineMs = 0;
  /** When the runtime opened its response (the POST's headers arrived). */
  respondedAt = 0;
  /** When the Function URL's client went away before the answer's end (0: it stayed). */
  viewerGoneAt = 0;
  readonly chunks: Chunk[] = [];
  readonly finished: Promise<Outcome>;
  private settle!: (outcome: Outcome) => void;
  private readonly listeners: ((chunk: Chunk) => void)[] = [];

  constructor(
    readonly event: unknown,
    readonly timeoutMs: number,
    traceId?: string,
  ) {
    this.traceId =
      traceId ?? `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${crypto.randomUUID().replaceAll('-', '').slice(0, 24)};Sampled=0`;
    this.finished = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  /** Every body byte received so far, prelude included. */
  get bytes(): Buffer {
    return Buffer.concat(this.chunks.map((c) => c.bytes));
  }

  /** Calls `listener` for each chunk as it arrives (and for those already here). */
  onChunk(listener: (chunk: Chunk) => void): void {
    for (const chunk of this.chunks) listener(chunk);
    this.listeners.push(listener);
  }

  /** Resolves when `predicate` holds for the bytes received so far. */
  until(predicate: (bytes: Buffer) => boolean): Promise<void> {
    return new Promise((resolve) => {
      let done = false;
      this.onChunk(() => {
        if (!done && predicate(this.bytes)) {
          done = true;
          resolve();
        }
      });
      void this.finished.then(() => resolve());
    });
  }

  /** @internal */
  receive(req: IncomingMessage, res: ServerResponse): void {
    this.respondedAt = performance.now();
    req.on('data', (bytes: Buffer) => {
      const chunk = { at: performance.now(), bytes };
      this.chunks.push(chunk);
      for (const listener of this.listeners) listener(chunk);
    });
    req.on('end', () => {
      const trailers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.trailers)) if (value !== undefined) trailers[name.toLowerCase()] = value;
      this.settle({ kind: 'response', headers: req.headers, body: this.bytes, trailers, endedAt: performance.now() });
      accepted(res);
    });
    req.on('close', () => {
      if (!req.complete) this.settle({ kind: 'cut', headers: req.headers, body: this.bytes, endedAt: performance.now() });
    });
  }

  /** @internal */
  fail(errorType: string | undefined, body: ErrorReport): void {
    this.settle({ kind: 'error', errorType, body, endedAt: performance.now() });
  }
}

export class LambdaRuntimeApi {
  readonly initErrors: { errorType: string | undefined; body: ErrorReport }[] = [];
  /** Every /next the runtime made, with when. */
  readonly nextCalls: number[] = [];
  private readonly queue: Invocation[] = [];
  private readonly byId = new Map<string, Invocation>();
  private waiting: ServerResponse | undefined;
  private idleWaiters: (() => void)[] = [];
  private initErrorWaiters: (() => void)[] = [];
  private server: Server | undefined;
  /** `host:port`, as `AWS_LAMBDA_RUNTIME_API` gives it. */
  address = '';

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.address = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.address;
  }

  async stop(): Promise<void> {
    this.waiting?.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Queues an event; the runtime takes it on its next /next. */
  invoke(event: unknown, options: InvokeOptions = {}): Invocation {
    const invocation = new Invocation(event, options.timeoutMs ?? 30_000, options.traceId);
    this.byId.set(invocation.requestId, invocation);
    this.queue.push(invocation);
    this.deliver();
    return invocation;
  }

  /** Resolves once the runtime waits in /next with nothing queued: the moment Lambda freezes it. */
  idle(): Promise<void> {
    if (this.waiting && !this.queue.length) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Resolves once the runtime has reported an init error. */
  initError(): Promise<void> {
    if (this.initErrors.length) return Promise.resolve();
    return new Promise((resolve) => this.initErrorWaiters.push(resolve));
  }

  private deliver(): void {
    const res = this.waiting;
    const invocation = this.queue[0];
    if (!res || !invocation) return;
    this.queue.shift();
    this.waiting = undefined;
    invocation.deliveredAt = performance.now();
    invocation.deadlineMs = Date.now() + invocation.timeoutMs;
    res.writeHead(200, {
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': invocation.requestId,
      'lambda-runtime-deadline-ms': String(invocation.deadlineMs),
      'lambda-runtime-invoked-function-arn': FUNCTION_ARN,
      'lambda-runtime-trace-id': invocation.traceId,
    });
    res.end(JSON.stringify(invocation.event));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? '';
    if (req.method === 'GET' && path === `${BASE}/invocation/next`) {
      this.nextCalls.push(performance.now());
      this.waiting = res;
      res.on('close', () => {
        if (this.waiting === res) this.waiting = undefined;
      });
      if (!this.queue.length) for (const resolve of this.idleWaiters.splice(0)) resolve();
      this.deliver();
      return;
    }
    const match = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(path);
    if (req.method === 'POST' && match) {
      const invocation = this.byId.get(decodeURIComponent(match[1]!));
      if (!invocation) return refuse(res, 400, 'InvalidRequestID', 'unknown request id');
      if (match[2] === 'response') return invocation.receive(req, res);
      const body = await readBody(req);
      invocation.fail(header(req, 'lambda-runtime-function-error-type'), parseJson(body));
      return accepted(res);
    }
    if (req.method === 'POST' && path === `${BASE}/init/error`) {
      const body = await readBody(req);
      this.initErrors.push({ errorType: header(req, 'lambda-runtime-function-error-type'), body: parseJson(body) });
      for (const resolve of this.initErrorWaiters.splice(0)) resolve();
      return accepted(res);
    }
    refuse(res, 404, 'NotFound', `no such path: ${req.method} ${path}`);
  }

  /**
   * A Function URL in front of the runtime, on a local port: each request becomes a payload 2.0
   * event; the status, headers and cookies come from the prelude and the body streams out as it
   * arrives. A response cut or failed after its first byte cuts the client's connection. A client that
   * leaves changes nothing for the function: its stream goes on being read, and dropped.
   */
  async functionUrl(options: InvokeOptions = {}): Promise<{ url: string; invocations: Invocation[]; close(): Promise<void> }> {
    const invocations: Invocation[] = [];
    const server = createServer(async (req, res) => {
      const body = await readBody(req);
      const invocation = this.invoke(functionUrlEvent(req, body), options);
      invocations.push(invocation);
      res.on('close', () => {
        if (!res.writableFinished) invocation.viewerGoneAt = performance.now();
      });
      let pending = Buffer.alloc(0);
      let started = false;
      invocation.onChunk(({ bytes }) => {
        if (res.destroyed) return;
        if (started) return void res.write(bytes);
        pending = Buffer.concat([pending, bytes]);
        const end = pending.indexOf(DELIMITER);
        if (end < 0) return;
        const prelude: Prelude = JSON.parse(pending.subarray(0, end).toString('utf8'));
        started = true;
        res.writeHead(prelude.statusCode, { ...prelude.headers, ...(prelude.cookies?.length ? { 'set-cookie': prelude.cookies } : {}) });
        const rest = pending.subarray(end + DELIMITER.length);
        if (rest.length) res.write(rest);
      });
      const outcome = await invocation.finished;
      const failed = outcome.kind !== 'response' || outcome.trailers['lambda-runtime-function-error-type'] !== undefined;
      if (failed && started) return void res.destroy();
      if (failed) {
        res.writeHead(502, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ Message: 'Internal Server Error' }));
      }
      if (!started) res.writeHead(200, { 'content-type': String(outcome.headers['content-type'] ?? 'application/octet-stream') });
      res.end(started ? undefined : outcome.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      invocations,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }
}

/** Splits a streamed HTTP integration response into its prelude and body. */
export function parsePrelude(bytes: Buffer): { prelude: Prelude; body: Buffer } {
  const end = bytes.indexOf(DELIMITER);
  if (end < 0) throw new Error(`no prelude delimiter in the response: ${JSON.stringify(bytes.subarray(0, 200).toString())}`);
  return { prelude: JSON.parse(bytes.subarray(0, end).toString('utf8')), body: bytes.subarray(end + DELIMITER.length) };
}

/** Content types a Function URL passes as text; any other body arrives base64-encoded. */
const TEXTUAL = /^(text\/|application\/(json|[\w.+-]+\+json|xml|[\w.+-]+\+xml|javascript|x-www-form-urlencoded)\b)/i;

/** The payload 2.0 event a Function URL makes of a request (docs/wire-facts.md §4). */
export function functionUrlEvent(req: IncomingMessage, body: Buffer): LambdaFunctionURLEvent {
  const [rawPath = '/', rawQueryString = ''] = (req.url ?? '/').split(/\?(.*)/s);
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const value = req.rawHeaders[i + 1]!;
    if (name === 'cookie') cookies = [...(cookies ?? []), ...value.split(/;\s*/).filter(Boolean)];
    else headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const contentType = headers['content-type'] ?? '';
  const binary = body.length > 0 && (!TEXTUAL.test(contentType) || headers['content-encoding'] !== undefined);
  const now = new Date();
  const domainName = 'abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws';
  const query = new URLSearchParams(rawQueryString);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    ...(cookies && { cookies }),
    headers: { ...headers, host: domainName, 'x-forwarded-proto': 'https', 'x-forwarded-port': '443', 'x-forwarded-for': '127.0.0.1' },
    ...(rawQueryString && { queryStringParameters: Object.fromEntries([...query.keys()].map((k) => [k, query.getAll(k).join(',')])) }),
    requestContext: {
      accountId: 'anonymous',
      apiId: domainName.split('.')[0]!,
      domainName,
      domainPrefix: domainName.split('.')[0]!,
      http: { method: req.method ?? 'GET', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: crypto.randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length && { body: binary ? body.toString('base64') : body.toString('utf8') }),
    isBase64Encoded: binary,
  } as LambdaFunctionURLEvent;
}

function accepted(res: ServerResponse): void {
  res.writeHead(202, { 'content-type': 'application/json' });
  res.end('{"status":"OK"}');
}

function refuse(res: ServerResponse, status: number, errorType: string, errorMessage: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ errorType, errorMessage }));
}

const header = (req: IncomingMessage, name: string) => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

function parseJson(body: Buffer) {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return { raw: body.toString('utf8') };
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
