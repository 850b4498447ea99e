import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { getEndpointFromInstructions } from '@smithy/core/endpoints';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SageMakerModel } from '../../config/config.js';
import { GatewayError } from '../../core/gateway-error.js';
import { log } from '../../core/log.js';
import { abortReason } from '../abort.js';
import { sageMakerClient } from '../sagemaker/clients.js';
import { fromSageMakerError } from '../sagemaker/errors.js';
import { SAGEMAKER_BODY_LIMIT } from '../sagemaker/transport.js';
import type { Transport } from '../transport.js';
import { BearerTokens } from './bearer-token.js';
import { fromOpenAIRouteError } from './errors.js';

/** What the calls of one SageMaker client share: its endpoint URL (resolved as the SDK resolves it) and its tokens. */
interface RouteAccess {
  endpoint: Promise<URL>;
  tokens: BearerTokens;
  signer: SignatureV4;
}
const access = new WeakMap<SageMakerRuntimeClient, RouteAccess>();

function routeAccess(client: SageMakerRuntimeClient): RouteAccess {
  let shared = access.get(client);
  if (!shared) {
    const config = client.config;
    shared = {
      // The SDK's own resolution: AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME (or AWS_ENDPOINT_URL, or the config
      // file's endpoint_url), else runtime.sagemaker.<region>.<dnsSuffix> with the FIPS and dual-stack settings.
      endpoint: getEndpointFromInstructions({}, InvokeEndpointCommand as never, config as never).then((e) => new URL(e.url.href)),
      tokens: new BearerTokens(client),
      signer: new SignatureV4({ credentials: config.credentials, region: config.region, service: 'sagemaker', sha256: config.sha256 }),
    };
    shared.endpoint.catch(() => access.delete(client));
    access.set(client, shared);
  }
  return shared;
}

/** Network failures worth one more try: a keep-alive socket the server had closed (after a Lambda freeze, say). */
const STALE_SOCKET = new Set(['ECONNRESET', 'EPIPE']);

/**
 * SageMaker's OpenAI-compatible chat route (docs/wire-facts.md §9): `POST /endpoints/<endpoint>
 * [/inference-components/<component>]/openai/v1/chat/completions` on the SageMaker Runtime host, authorised
 * with a bearer token minted from the credentials (or SigV4-signed), answered with the container's own
 * bytes: JSON, or its stream as it is (SSE or JSON lines), which the `openai-chat` dialect reads. No
 * event-stream frames to decode and no payload hash to compute. Requests go through the SageMaker
 * client's own HTTP handler, so both routes share one connection pool per region and identity.
 */
export class SageMakerOpenAITransport implements Transport {
  readonly bodyLimit = SAGEMAKER_BODY_LIMIT;
  private readonly client: SageMakerRuntimeClient;
  private readonly access: RouteAccess;
  private readonly path: string;

  constructor(private readonly model: SageMakerModel) {
    this.client = sageMakerClient(model.region, model.assumeRole);
    this.access = routeAccess(this.client);
    const component = model.inferenceComponent ? `/inference-components/${encodeURIComponent(model.inferenceComponent)}` : '';
    this.path = `/endpoints/${encodeURIComponent(model.endpoint)}${component}/openai/v1/chat/completions`;
  }

  async invoke(body: string, signal: AbortSignal): Promise<Uint8Array> {
    const started = performance.now();
    const answer = await this.post(body, signal, false, started);
    try {
      const parts: Buffer[] = [];
      for await (const part of answer) parts.push(part as Buffer);
      const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      if (log.debugEnabled) this.logCall(body, started, { status: 200, answerBytes: bytes.byteLength }, bytes);
      return bytes;
    } catch (error) {
      throw this.failure(error, signal);
    }
  }

  async invokeStream(body: string, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>> {
    const started = performance.now();
    const answer = await this.post(body, signal, true, started);
    if (log.debugEnabled) this.logCall(body, started, { status: 200 });
    return this.relay(answer, signal);
  }

  /** The call, with one retry for a stale keep-alive socket; resolves with the answer's body once its status is 2xx. */
  private async post(body: string, signal: AbortSignal, stream: boolean, started: number): Promise<AsyncIterable<Uint8Array>> {
    for (let attempt = 1; ; attempt++) {
      try {
        const request = await this.request(body, stream);
        const { response } = await this.client.config.requestHandler.handle(request, { abortSignal: signal });
        const answer = response.body as NodeJS.ReadableStream & AsyncIterable<Uint8Array>;
        if (response.statusCode >= 200 && response.statusCode < 300) return answer;
        const text = await readText(answer);
        if (response.statusCode === 401 || response.statusCode === 403) this.access.tokens.forget();
        const failure = fromOpenAIRouteError(response.statusCode, response.headers, text, this.model, signal);
        if (log.debugEnabled) this.logCall(body, started, { status: response.statusCode, code: failure.code });
        throw failure;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (attempt === 1 && !signal.aborted && code && STALE_SOCKET.has(code)) continue;
        const failure = this.failure(error, signal);
        if (log.debugEnabled && failure !== error) this.logCall(body, started, { status: failure.status, code: failure.code });
        throw failure;
      }
    }
  }

  private async request(body: string, stream: boolean): Promise<HttpRequest> {
    const url = await this.access.endpoint;
    const request = new HttpRequest({
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port && { port: Number(url.port) }),
      method: 'POST',
      path: `${url.pathname.replace(/\/+$/, '')}${this.path}`,
      headers: {
        host: url.host,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        accept: stream ? 'text/event-stream' : 'application/json',
      },
      body,
    });
    if (this.model.routeAuth === 'sigv4') return (await this.access.signer.sign(request)) as HttpRequest;
    request.headers.authorization = `Bearer ${await this.access.tokens.get()}`;
    return request;
  }

  private async *relay(answer: AsyncIterable<Uint8Array>, signal: AbortSignal): AsyncGenerator<Uint8Array> {
    try {
      for await (const part of answer) yield part;
    } catch (error) {
      throw this.failure(error, signal);
    }
  }

  /** Network failures and aborts, as the InvokeEndpoint transport reports them. */
  private failure(error: unknown, signal: AbortSignal): GatewayError {
    if (signal.aborted) return abortReason(signal);
    const code = (error as { code?: unknown }).code;
    if (!(error instanceof GatewayError) && typeof code === 'string') {
      return new GatewayError(502, `Could not reach SageMaker for model '${this.model.name}' (${code}).`, { code: 'upstream_error', cause: error });
    }
    return fromSageMakerError(error, this.model, signal);
  }

  private logCall(body: string, started: number, outcome: Record<string, unknown>, answer?: Uint8Array): void {
    log.debug('upstream call', {
      model: this.model.name,
      operation: 'OpenAIChatCompletions',
      endpoint: this.model.endpoint,
      ...(this.model.inferenceComponent && { inferenceComponent: this.model.inferenceComponent }),
      requestBytes: Buffer.byteLength(body),
      ms: Math.round(performance.now() - started),
      ...outcome,
      ...(log.payloads && { payload: body, ...(answer && { answer: new TextDecoder().decode(answer) }) }),
    });
  }
}

async function readText(body: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  try {
    for await (const part of body) parts.push(Buffer.from(part));
  } catch {
    // What arrived is what there is.
  }
  return Buffer.concat(parts).toString('utf8');
}
