import { Writable } from 'node:stream';
import type { Context, LambdaFunctionURLEvent } from 'aws-lambda';

/**
 * A stand-in for the Lambda Node runtime's `awslambda` global (docs/wire-facts.md §4), for the
 * benchmark's cold-start row only: it times the bundle's import and its first answer apart, inside
 * one process on this machine's Node, which AWS's runtime client (a process of its own, behind the
 * Runtime API) cannot show, and `npm run bench` must not wait for that client's first build. Every
 * test of the Lambda path runs the real client instead (test/support/lambda-runtime-client.ts).
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
