import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { Context, LambdaFunctionURLEvent } from 'aws-lambda';

/**
 * A test double of the Lambda Node runtime's response streaming contract (docs/wire-facts.md §4):
 * `awslambda.streamifyResponse` marks the handler; `HttpResponseStream.from` sets the integration
 * content type and, on the first write, emits the JSON prelude and 8 NUL bytes before the body.
 * `serveFunctionUrl` puts a Function URL in front of it: HTTP in, payload 2.0 event, prelude parsed
 * back into status and headers, body streamed out as written.
 */
const PRELUDE_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const DELIMITER = new Uint8Array(8);

type Write = (chunk: string | Uint8Array) => void;

export class ResponseStreamDouble extends Writable {
  contentType = 'application/octet-stream';
  /** Every byte the function wrote, prelude included, with the time each write arrived. */
  readonly writes: { at: number; bytes: Buffer }[] = [];
  _onBeforeFirstWrite?: (write: Write) => void;
  private first = true;

  setContentType(contentType: string): void {
    this.contentType = contentType;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.first) {
      this.first = false;
      this._onBeforeFirstWrite?.((c) => this.record(Buffer.from(c)));
    }
    this.record(chunk);
    callback();
  }

  private record(bytes: Buffer): void {
    this.writes.push({ at: performance.now(), bytes });
    this.emit('bytes', bytes);
  }

  get bytes(): Buffer {
    return Buffer.concat(this.writes.map((w) => w.bytes));
  }
}

export function installLambdaRuntime(): void {
  (globalThis as Record<string, unknown>).awslambda = {
    streamifyResponse: (handler: unknown) => Object.assign(handler as object, { [Symbol.for('aws.lambda.runtime.handler.streaming')]: 'response' }),
    HttpResponseStream: {
      from(stream: ResponseStreamDouble, prelude: object) {
        stream.setContentType(PRELUDE_CONTENT_TYPE);
        const metadata = JSON.stringify(prelude);
        stream._onBeforeFirstWrite = (write) => {
          write(metadata);
          write(DELIMITER);
        };
        return stream;
      },
    },
  };
}

export type StreamingHandler = (event: LambdaFunctionURLEvent, stream: ResponseStreamDouble, context: Context) => Promise<void>;

export function lambdaContext(timeoutMs = 30_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'sagegate',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:sagegate',
    memoryLimitInMB: '512',
    awsRequestId: crypto.randomUUID(),
    logGroupName: '/aws/lambda/sagegate',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Splits what the function wrote into the prelude it declared and the body. */
export function parseStreamed(bytes: Buffer): {
  prelude: { statusCode: number; headers?: Record<string, string>; cookies?: string[] };
  body: Buffer;
} {
  const end = bytes.indexOf(DELIMITER);
  if (end < 0) throw new Error('no prelude delimiter in the response');
  return { prelude: JSON.parse(bytes.subarray(0, end).toString('utf8')), body: bytes.subarray(end + DELIMITER.length) };
}

export function functionUrlEvent(
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string; base64?: boolean } = {},
): LambdaFunctionURLEvent {
  const [rawPath, rawQueryString = ''] = path.split('?');
  const body = options.body === undefined ? undefined : options.base64 ? Buffer.from(options.body).toString('base64') : options.body;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: rawPath!,
    rawQueryString,
    headers: { host: 'abc.lambda-url.us-east-1.on.aws', ...options.headers },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abc',
      domainName: 'abc.lambda-url.us-east-1.on.aws',
      domainPrefix: 'abc',
      http: { method, path: rawPath!, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: crypto.randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    body,
    isBase64Encoded: options.base64 ?? false,
  } as LambdaFunctionURLEvent;
}

/** A Function URL in front of the handler, on a local port. */
export async function serveFunctionUrl(handler: StreamingHandler, timeoutMs = 30_000): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const textual = /json|text|x-www-form-urlencoded/.test(String(req.headers['content-type'] ?? 'application/json'));
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
    const event = functionUrlEvent(req.method ?? 'GET', req.url ?? '/', {
      headers,
      body: body.length ? (textual ? body.toString('utf8') : body.toString('latin1')) : undefined,
      base64: body.length > 0 && !textual,
    });
    if (event.isBase64Encoded) event.body = body.toString('base64');
    const stream = new ResponseStreamDouble();
    let pending = Buffer.alloc(0);
    let started = false;
    stream.on('bytes', (bytes: Buffer) => {
      if (started) return void res.write(bytes);
      pending = Buffer.concat([pending, bytes]);
      if (stream.contentType !== PRELUDE_CONTENT_TYPE || pending.indexOf(DELIMITER) < 0) return;
      const { prelude, body: rest } = parseStreamed(pending);
      started = true;
      res.writeHead(prelude.statusCode, { ...prelude.headers, ...(prelude.cookies?.length ? { 'set-cookie': prelude.cookies } : {}) });
      if (rest.length) res.write(rest);
    });
    try {
      await handler(event, stream, lambdaContext(timeoutMs));
    } catch (error) {
      if (!started) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ Message: `function error: ${(error as Error).message}` }));
      return;
    }
    if (!started) res.writeHead(200, { 'content-type': stream.contentType });
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
