import type { IncomingMessage } from 'node:http';
import type { OpenAIModel } from '../../config/config.js';
import { containerMessage, fromContainerStatus } from '../../containers/container-errors.js';
import { GatewayError } from '../../core/gateway-error.js';
import { log } from '../../core/log.js';
import { abortReason } from '../abort.js';
import type { Transport } from '../transport.js';
import { UpstreamApiKey } from './api-key.js';
import { bodyChunks, httpPost, type PostTarget, postTarget, readAll } from './http-post.js';

/**
 * Any OpenAI-compatible server over HTTP(S), with Node's own client on kept-alive connections
 * (`http-post.ts`). Streams are relayed chunk by chunk; the `openai-chat` dialect reads them.
 */
export class OpenAIHttpTransport implements Transport {
  private readonly target: PostTarget;
  private readonly href: string;
  /** OpenAI's completions API takes a `suffix` itself (fill-in-the-middle is the server's business). */
  readonly takesSuffix = true;

  /** The server's chat, legacy completions and embeddings APIs, sharing one cached API key. */
  static forModel(model: OpenAIModel): { chat: OpenAIHttpTransport; completions: OpenAIHttpTransport; embeddings: OpenAIHttpTransport } {
    const apiKey = apiKeyOf(model);
    return {
      chat: new OpenAIHttpTransport(model, 'chat/completions', apiKey),
      completions: new OpenAIHttpTransport(model, 'completions', apiKey),
      embeddings: new OpenAIHttpTransport(model, 'embeddings', apiKey),
    };
  }

  /**
   * Another API of the same server (`path` below its base URL), its key sent as `sendKey` says, and
   * the upstream's own statuses read by `statusError` first where that API has statuses of its own.
   */
  static forApi(
    model: OpenAIModel,
    path: string,
    sendKey: (key: string) => Record<string, string>,
    statusError?: (status: number, message: string, headers: IncomingMessage['headers']) => GatewayError | undefined,
  ): OpenAIHttpTransport {
    return new OpenAIHttpTransport(model, path, apiKeyOf(model), sendKey, statusError);
  }

  private constructor(
    private readonly model: OpenAIModel,
    path: string,
    private readonly apiKey: { get(): Promise<string> } | undefined,
    private readonly sendKey: (key: string) => Record<string, string> = bearer,
    private readonly ownStatusError?: (status: number, message: string, headers: IncomingMessage['headers']) => GatewayError | undefined,
  ) {
    const url = new URL(`${model.baseUrl.replace(/\/+$/, '')}/${path}`);
    this.target = postTarget(url);
    this.href = url.href;
  }

  /** One request, one whole answer; `headers` add to the gateway's own (never replacing its key). */
  async invoke(body: string, signal: AbortSignal, headers?: Record<string, string>): Promise<Uint8Array> {
    const response = await this.post(body, signal, 'application/json', headers);
    try {
      return await readAll(response);
    } catch (error) {
      throw this.failure(error, signal);
    }
  }

  async invokeStream(body: string, signal: AbortSignal, headers?: Record<string, string>): Promise<AsyncIterable<Uint8Array>> {
    // Relayed chunk by chunk; one that stops reading early closes the connection, not a half-read answer.
    return bodyChunks(await this.post(body, signal, 'text/event-stream', headers), (error) => this.failure(error, signal));
  }

  private async post(body: string, signal: AbortSignal, accept: string, extra?: Record<string, string>): Promise<IncomingMessage> {
    const headers: Record<string, string> = { ...extra, 'content-type': 'application/json', accept };
    if (this.apiKey) Object.assign(headers, this.sendKey(await this.apiKey.get()));
    const started = performance.now();

    let response: IncomingMessage;
    try {
      response = await httpPost(this.target, headers, body, signal);
    } catch (error) {
      const failure = this.failure(error, signal);
      if (log.debugEnabled) this.logCall(body, started, { code: failure.code });
      throw failure;
    }
    if (log.debugEnabled) this.logCall(body, started, { status: response.statusCode });

    const status = response.statusCode ?? 502;
    if (status < 200 || status > 299) throw await this.statusError(response, status, signal);
    return response;
  }

  /** The upstream's own status, as a client should see it. */
  private async statusError(response: IncomingMessage, status: number, signal: AbortSignal): Promise<GatewayError> {
    const text = await readAll(response).then(
      (bytes) => bytes.toString('utf8'),
      (error) => {
        if (signal.aborted) throw this.failure(error, signal);
        return '';
      },
    );
    const message = (text ? containerMessage(text) : (response.statusMessage ?? '')).slice(0, 500);
    const own = this.ownStatusError?.(status, message, response.headers);
    if (own) return own;
    const name = this.model.name;
    if (status === 401 || status === 403) {
      return new GatewayError(502, `The upstream of model '${name}' refused the gateway's credentials: ${message}`, {
        code: 'upstream_misconfigured',
      });
    }
    if (status === 429) {
      const retryAfter = Number(response.headers['retry-after']) || 1;
      return new GatewayError(429, `The upstream of model '${name}' is rate limiting: ${message}`, { code: 'rate_limit_exceeded', retryAfter });
    }
    if (status === 404) {
      return new GatewayError(502, `The upstream of model '${name}' has no such model or route (check base_url and model): ${message}`, {
        code: 'upstream_misconfigured',
      });
    }
    return fromContainerStatus(status, message, name);
  }

  private failure(error: unknown, signal: AbortSignal): GatewayError {
    if (error instanceof GatewayError) return error;
    if (signal.aborted) return abortReason(signal);
    const e = error as { code?: string; name?: string; cause?: { code?: string; message?: string } };
    const why = e.code ?? e.cause?.code ?? e.cause?.message ?? e.name;
    return new GatewayError(502, `Could not reach the upstream of model '${this.model.name}' (${why}).`, { code: 'upstream_error', cause: error });
  }

  private logCall(body: string, started: number, outcome: Record<string, unknown>): void {
    log.debug('upstream call', {
      model: this.model.name,
      url: this.href,
      requestBytes: Buffer.byteLength(body),
      ms: Math.round(performance.now() - started),
      ...outcome,
      ...(log.payloads && { payload: body }),
    });
  }
}

const fixedKey = (key: string) => ({ get: () => Promise.resolve(key) });

const keys = new WeakMap<OpenAIModel, { get(): Promise<string> } | undefined>();

/**
 * The server's API key, one per deployment whichever of its APIs asks: from its secret when deployed;
 * a key in the config is only ever present when serving locally.
 */
function apiKeyOf(model: OpenAIModel) {
  if (!keys.has(model)) {
    keys.set(model, model.apiKeySecret ? new UpstreamApiKey(model.apiKeySecret, model.name) : model.apiKey ? fixedKey(model.apiKey) : undefined);
  }
  return keys.get(model);
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
