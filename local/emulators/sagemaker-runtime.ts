import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { EventStreamCodec, type MessageHeaders } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { checkBearerToken } from './bearer-token-check.js';
import { checkSigV4, type EmulatorCredentials, header, type SignatureFault } from './sigv4-check.js';

/**
 * A local SageMaker Runtime: real HTTP, the real restJson1 error shapes and real event-stream frames
 * (encoded with the AWS SDK's own codec), so the real SDK client pointed here with
 * AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME behaves as against AWS (docs/wire-facts.md §1). Model containers are plain
 * functions; the emulator adds what SageMaker adds: ModelError wrapping, PayloadPart framing, faults.
 * It also serves the OpenAI-compatible route (docs/wire-facts.md §9): the container's bytes as they
 * are, a bearer token or a SigV4 signature checked, errors in OpenAI's envelope.
 */
export interface Invocation {
  endpoint: string;
  stream: boolean;
  body: Buffer;
  headers: IncomingHttpHeaders;
  inferenceComponent?: string;
  targetVariant?: string;
  customAttributes?: string;
  /** InvokeEndpoint(WithResponseStream), or the OpenAI-compatible chat route (absent outside the SageMaker emulator). */
  route?: 'invocations' | 'openai';
  /** How the caller was authorised, and whose credentials it used (when the emulator checks them). */
  auth?: 'sigv4' | 'bearer_token';
  accessKeyId?: string;
}

/** One piece of a streamed answer: bytes, a pause, or a SageMaker exception frame. */
export type StreamItem =
  | string
  | Uint8Array
  | { delayMs: number }
  | { exception: 'ModelStreamError'; message: string; errorCode?: 'ModelInvocationTimeExceeded' | 'StreamBroken' }
  | { exception: 'InternalStreamFailure'; message: string };

export type ContainerReply =
  | { status?: number; body: string | Uint8Array | object; contentType?: string }
  | { stream: Iterable<StreamItem> | AsyncIterable<StreamItem>; contentType?: string };

export type Container = (invocation: Invocation) => ContainerReply | Promise<ContainerReply>;

export interface EndpointOptions {
  container: Container;
  /** How each streamed piece is cut into PayloadParts (default: one part per piece). */
  split?: (bytes: Uint8Array) => Uint8Array[];
  /** Inference components this endpoint hosts; calls naming another fail with ValidationError. */
  inferenceComponents?: string[];
}

export type FaultType =
  | 'ThrottlingException'
  | 'ModelNotReadyException'
  | 'ServiceUnavailable'
  | 'InternalFailure'
  | 'InternalDependencyException'
  | 'ValidationError';

const FAULT_STATUS: Record<FaultType, number> = {
  ThrottlingException: 400, // not 429: docs/wire-facts.md §1
  ModelNotReadyException: 429,
  ServiceUnavailable: 503,
  InternalFailure: 500,
  InternalDependencyException: 530,
  ValidationError: 400,
};

/** SageMaker's refusal while an inference component has no copy running (docs/wire-facts.md §9). */
export const NO_CAPACITY_MESSAGE =
  'Inference Component has no capacity to process this request. ApplicationAutoScaling may be in-progress (if configured) or try to increase the capacity by invoking UpdateInferenceComponentRuntimeConfig API.';

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const str = (value: string) => ({ type: 'string' as const, value });

export class SageMakerRuntimeEmulator {
  /** Every call, for tests to inspect; a long-running emulator (the demo, the benchmark) turns this off. */
  readonly invocations: Invocation[] = [];
  recordInvocations = true;
  /** Streams the caller closed before their end (the gateway cancelling upstream work). */
  cancelledStreams = 0;
  private readonly endpoints = new Map<string, EndpointOptions>();
  private readonly faults = new Map<string, { type: FaultType; message: string; remaining: number }>();
  private readonly coldStarts = new Map<string, { calls?: number; until?: number }>();
  private readonly identities = new Map<string, EmulatorCredentials>();
  private server: Server | undefined;
  url = '';
  /** When set, bearer tokens must be signed for this region (a token for another region is refused, as on AWS). */
  region: string | undefined;

  /**
   * With `credentials`, every request's SigV4 signature (or bearer token) is checked as SageMaker checks
   * it (a 403 InvalidSignatureException when it does not hold); without, only its presence is.
   */
  constructor(
    readonly account = '123456789012',
    credentials?: EmulatorCredentials,
  ) {
    if (credentials) this.identities.set(credentials.accessKeyId, credentials);
  }

  /** Accepts another identity's signatures too: an assumed role's credentials, as the STS emulator issued them. */
  trust(credentials: EmulatorCredentials): this {
    this.identities.set(credentials.accessKeyId, credentials);
    return this;
  }

  /**
   * `name` (an inference component, or an endpoint without components) is scaled to zero: calls get
   * SageMaker's "no capacity" refusal for the next `calls` calls, or for `seconds`, then it serves.
   */
  coldStart(name: string, { calls, seconds }: { calls?: number; seconds?: number }): this {
    this.coldStarts.set(name, { calls, ...(seconds !== undefined && { until: Date.now() + seconds * 1000 }) });
    return this;
  }

  /** Whether a call to `name` finds no capacity (and counts it). */
  private noCapacity(name: string): boolean {
    const cold = this.coldStarts.get(name);
    if (!cold) return false;
    if (cold.calls !== undefined && cold.calls > 0) {
      cold.calls--;
      return true;
    }
    if (cold.until !== undefined && Date.now() < cold.until) return true;
    this.coldStarts.delete(name);
    return false;
  }

  private get known() {
    return this.identities.size ? (accessKeyId: string) => this.identities.get(accessKeyId) : undefined;
  }

  addEndpoint(name: string, options: EndpointOptions | Container): this {
    this.endpoints.set(name, typeof options === 'function' ? { container: options } : options);
    return this;
  }

  /** The next `times` calls to `endpoint` fail with a SageMaker error of `type`. */
  failNext(endpoint: string, type: FaultType, times = 1, message = defaultFaultMessage(type)): this {
    this.faults.set(endpoint, { type, message, remaining: times });
    return this;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.handle(req.method ?? 'GET', req.url ?? '/', req.headers, Buffer.concat(chunks), res).catch((error) => {
          if (!res.headersSent) sendError(res, 'InternalFailure', 500, String(error));
          else res.destroy();
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    const address = this.server.address() as AddressInfo;
    this.url = `http://${host}:${address.port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  private async handle(method: string, url: string, headers: IncomingHttpHeaders, body: Buffer, res: ServerResponse): Promise<void> {
    const path = url.split('?')[0]!;
    const openai = /^\/endpoints\/([^/]+)(?:\/inference-components\/([^/]+))?\/openai\/v1\/chat\/completions$/.exec(path);
    if (method === 'POST' && openai)
      return this.handleOpenAIRoute(url, headers, body, res, decodeURIComponent(openai[1]!), openai[2] && decodeURIComponent(openai[2]));
    const match = /^\/endpoints\/([^/]+)\/(invocations|invocations-response-stream)$/.exec(path);
    if (method !== 'POST' || !match) return sendError(res, 'UnknownOperationException', 404, `No operation at ${method} ${url}`);
    const endpoint = decodeURIComponent(match[1]!);
    const stream = match[2] === 'invocations-response-stream';
    const refused = await checkSigV4({ method, url, headers, body }, this.known, 'sagemaker');
    if (refused) return sendError(res, refused.type, 403, refused.message);
    const options = this.endpoints.get(endpoint);
    if (!options) return sendError(res, 'ValidationError', 400, `Endpoint ${endpoint} of account ${this.account} not found.`);
    const invocation: Invocation = {
      endpoint,
      stream,
      body,
      headers,
      inferenceComponent: header(headers, 'x-amzn-sagemaker-inference-component'),
      targetVariant: header(headers, 'x-amzn-sagemaker-target-variant'),
      customAttributes: header(headers, 'x-amzn-sagemaker-custom-attributes'),
      route: 'invocations',
      auth: 'sigv4',
      accessKeyId: signerOf(headers),
    };
    if (this.recordInvocations) this.invocations.push(invocation);
    if (body.length > 6_291_456) return sendError(res, 'ValidationError', 400, 'Request payload size exceeds the limit of 6291456 bytes.');
    if (options.inferenceComponents && !options.inferenceComponents.includes(invocation.inferenceComponent ?? '')) {
      return sendError(res, 'ValidationError', 400, `Inference Component ${invocation.inferenceComponent ?? '(none)'} not found.`);
    }
    if (this.noCapacity(invocation.inferenceComponent ?? endpoint)) return sendError(res, 'ValidationError', 400, NO_CAPACITY_MESSAGE);
    const fault = this.faults.get(endpoint);
    if (fault && fault.remaining > 0) {
      fault.remaining--;
      return sendError(res, fault.type, FAULT_STATUS[fault.type], fault.message);
    }

    const reply = await options.container(invocation);
    if ('stream' in reply) {
      if (!stream) return sendError(res, 'ValidationError', 400, 'The container answered a stream to InvokeEndpoint.');
      return this.sendStream(res, reply.stream, reply.contentType ?? 'text/event-stream', options.split);
    }
    const status = reply.status ?? 200;
    const payload =
      typeof reply.body === 'string' || reply.body instanceof Uint8Array ? Buffer.from(reply.body) : Buffer.from(JSON.stringify(reply.body));
    if (status >= 400) {
      // SageMaker wraps any container error in a 424 ModelError carrying the container's status and body.
      const original = payload.toString('utf8');
      return sendJson(res, 424, 'ModelError', {
        ErrorCode: status < 500 ? 'CLIENT_ERROR_FROM_MODEL' : 'SERVER_ERROR_FROM_MODEL',
        Message: `Received ${status < 500 ? 'client' : 'server'} error (${status}) from primary with message "${original}". See https://console.aws.amazon.com/cloudwatch/home for more information.`,
        OriginalMessage: original,
        OriginalStatusCode: status,
        LogStreamArn: `arn:aws:logs:us-east-1:${this.account}:log-group:/aws/sagemaker/Endpoints/${endpoint}`,
      });
    }
    const contentType = reply.contentType ?? 'application/json';
    if (stream) {
      // A container answering a stream call in one piece still reaches the client as PayloadParts.
      return this.sendStream(res, [payload], contentType, options.split);
    }
    res.writeHead(200, { 'content-type': contentType, 'x-amzn-invoked-production-variant': 'AllTraffic', 'x-amzn-requestid': requestId() });
    res.end(payload);
  }

  /**
   * The OpenAI-compatible route: authorised by a bearer token or a SigV4 signature, the inference
   * component in the path (the header is refused), the container's answer relayed as it is, SageMaker's
   * own refusals in OpenAI's error envelope, a container's error quoted in a `model_error`.
   */
  private async handleOpenAIRoute(
    url: string,
    headers: IncomingHttpHeaders,
    body: Buffer,
    res: ServerResponse,
    endpoint: string,
    component: string | undefined,
  ): Promise<void> {
    const authorization = header(headers, 'authorization') ?? '';
    let refused: SignatureFault | undefined;
    let accessKeyId: string | undefined;
    const auth = authorization.startsWith('Bearer ') ? 'bearer_token' : 'sigv4';
    if (auth === 'bearer_token') {
      const check = await checkBearerToken(authorization.slice(7).trim(), this.known, { region: this.region });
      refused = check.fault;
      accessKeyId = check.accessKeyId;
    } else {
      refused = await checkSigV4({ method: 'POST', url, headers, body }, this.known, 'sagemaker');
      accessKeyId = signerOf(headers);
    }
    if (refused) return sendOpenAIError(res, refused.type === 'MissingAuthenticationTokenException' ? 401 : 403, refused.message, 'access_denied');
    // The component goes in the path; AWS documents no header for this route, so one sent is ignored.
    const options = this.endpoints.get(endpoint);
    if (!options) return sendOpenAIError(res, 400, `Endpoint ${endpoint} of account ${this.account} not found.`);
    if (options.inferenceComponents && !options.inferenceComponents.includes(component ?? '')) {
      return sendOpenAIError(
        res,
        400,
        component
          ? `Inference Component ${component} not found.`
          : 'This endpoint hosts inference components: name one in the URL (/inference-components/<name>/openai/v1).',
      );
    }
    if (!options.inferenceComponents && component) return sendOpenAIError(res, 400, `Inference Component ${component} not found.`);
    let stream = false;
    try {
      stream = JSON.parse(body.toString('utf8'))?.stream === true;
    } catch {
      // The container says what it thinks of it.
    }
    const invocation: Invocation = { endpoint, stream, body, headers, inferenceComponent: component, route: 'openai', auth, accessKeyId };
    if (this.recordInvocations) this.invocations.push(invocation);
    if (body.length > 6_291_456) return sendOpenAIError(res, 400, 'Request payload size exceeds the limit of 6291456 bytes.');
    if (this.noCapacity(component ?? endpoint)) return sendOpenAIError(res, 400, NO_CAPACITY_MESSAGE);
    const fault = this.faults.get(endpoint);
    if (fault && fault.remaining > 0) {
      fault.remaining--;
      // Not known to answer in another shape: SageMaker Runtime's own.
      return sendError(res, fault.type, FAULT_STATUS[fault.type], fault.message);
    }

    const reply = await options.container(invocation);
    if ('stream' in reply) return this.sendRawStream(res, reply.stream, reply.contentType ?? 'text/event-stream', options.split);
    const status = reply.status ?? 200;
    const payload =
      typeof reply.body === 'string' || reply.body instanceof Uint8Array ? Buffer.from(reply.body) : Buffer.from(JSON.stringify(reply.body));
    // The route answers with the container's own response, its errors included (status and body as sent).
    res.writeHead(status, { 'content-type': reply.contentType ?? 'application/json', 'x-amzn-requestid': requestId() });
    res.end(payload);
  }

  /** The container's stream as it is: its own bytes, no event-stream frames; an exception cuts the connection. */
  private async sendRawStream(
    res: ServerResponse,
    items: Iterable<StreamItem> | AsyncIterable<StreamItem>,
    contentType: string,
    split: ((bytes: Uint8Array) => Uint8Array[]) | undefined,
  ): Promise<void> {
    res.writeHead(200, { 'content-type': contentType, 'x-amzn-requestid': requestId(), 'transfer-encoding': 'chunked' });
    const hungUp = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) this.cancelledStreams++;
      hungUp.abort();
    });
    for await (const item of items) {
      if (hungUp.signal.aborted) return;
      if (typeof item === 'object' && 'delayMs' in item) {
        await delay(item.delayMs, undefined, { signal: hungUp.signal }).catch(() => undefined);
        continue;
      }
      if (typeof item === 'object' && 'exception' in item) {
        res.destroy();
        return;
      }
      const bytes = typeof item === 'string' ? fromUtf8(item) : item;
      for (const part of split ? split(bytes) : [bytes]) res.write(part);
    }
    res.end();
  }

  private async sendStream(
    res: ServerResponse,
    items: Iterable<StreamItem> | AsyncIterable<StreamItem>,
    contentType: string,
    split: ((bytes: Uint8Array) => Uint8Array[]) | undefined,
  ): Promise<void> {
    res.writeHead(200, {
      'content-type': 'application/vnd.amazon.eventstream',
      'x-amzn-sagemaker-content-type': contentType,
      'x-amzn-invoked-production-variant': 'AllTraffic',
      'x-amzn-requestid': requestId(),
      'transfer-encoding': 'chunked',
    });
    // Aborted when the caller hangs up: the stream stops, and so does any wait, as a container's would.
    const hungUp = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) this.cancelledStreams++;
      hungUp.abort();
    });
    for await (const item of items) {
      if (hungUp.signal.aborted) return;
      if (typeof item === 'object' && 'delayMs' in item) {
        await delay(item.delayMs, undefined, { signal: hungUp.signal }).catch(() => undefined);
        continue;
      }
      if (typeof item === 'object' && 'exception' in item) {
        const payload =
          item.exception === 'ModelStreamError' ? { Message: item.message, ErrorCode: item.errorCode ?? 'StreamBroken' } : { Message: item.message };
        res.write(
          frame(
            { ':message-type': str('exception'), ':exception-type': str(item.exception), ':content-type': str('application/json') },
            fromUtf8(JSON.stringify(payload)),
          ),
        );
        res.end();
        return;
      }
      const bytes = typeof item === 'string' ? fromUtf8(item) : item;
      for (const part of split ? split(bytes) : [bytes]) {
        res.write(
          frame({ ':message-type': str('event'), ':event-type': str('PayloadPart'), ':content-type': str('application/octet-stream') }, part),
        );
      }
    }
    res.end();
  }
}

/** SageMaker's refusals on the OpenAI-compatible route: OpenAI's error envelope (docs/wire-facts.md §9). */
function sendOpenAIError(res: ServerResponse, status: number, message: string, code = 'validation_error', type = 'invalid_request_error'): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': requestId() });
  res.end(JSON.stringify({ error: { message, type, code } }));
}

/** The access key id a SigV4 Authorization header names. */
const signerOf = (headers: IncomingHttpHeaders) => /Credential=([^/]+)\//.exec(header(headers, 'authorization') ?? '')?.[1];

function frame(headers: MessageHeaders, body: Uint8Array): Uint8Array {
  return codec.encode({ headers, body });
}

function sendError(res: ServerResponse, type: string, status: number, message: string): void {
  sendJson(res, status, type, { message, Message: message });
}

function sendJson(res: ServerResponse, status: number, type: string, body: object): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    // As AWS sends it: the code, then the namespace after a colon (the SDK keeps the part before it).
    'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.sagemaker/`,
    'x-amzn-requestid': requestId(),
  });
  res.end(JSON.stringify(body));
}

function defaultFaultMessage(type: FaultType): string {
  switch (type) {
    case 'ThrottlingException':
      return 'Rate exceeded';
    case 'ModelNotReadyException':
      return 'Model is not ready yet. Please retry after some time.';
    default:
      return `${type} (injected by the emulator)`;
  }
}

const requestId = () => crypto.randomUUID();

/** Splits bytes into parts of `size` bytes: cuts through JSON, lines and UTF-8 characters alike. */
export const splitEvery =
  (size: number) =>
  (bytes: Uint8Array): Uint8Array[] => {
    const parts: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
    return parts;
  };
