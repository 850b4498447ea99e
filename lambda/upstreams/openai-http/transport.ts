import type { IncomingMessage } from 'node:http';
import type { OpenAIModel } from '../../config/config.js';
import { containerMessage, fromContainerStatus } from '../../containers/container-errors.js';
import { GatewayError } from '../../core/gateway-error.js';
import { log } from '../../core/log.js';
import { abortReason } from '../abort.js';
import type { Transport } from '../transport.js';
import { UpstreamApiKey } from './api-key.js';
import { httpPost, type PostTarget, postTarget, readAll } from './http-post.js';

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
    // A key from the config is only ever present when serving locally; deployed configs name a secret.
    const apiKey = model.apiKeySecret ? new UpstreamApiKey(model.apiKeySecret, model.name) : model.apiKey ? fixedKey(model.apiKey) : undefined;
    return {
      chat: new OpenAIHttpTransport(model, 'chat/completions', apiKey),
      completions: new OpenAIHttpTransport(model, 'completions', apiKey),
      embeddings: new OpenAIHttpTransport(model, 'embeddings', apiKey),
    };
  }

  private constructor(
    private readonly model: OpenAIModel,
    operation: 'chat/completions' | 'completions' | 'embeddings',
    private readonly apiKey: { get(): Promise<string> } | undefined,
  ) {
    const url = new URL(`${model.baseUrl.replace(/\/+$/, '')}/${operation}`);
    this.target = postTarget(url);
    this.href = url.href;
  }

  async invoke(body: string, signal: AbortSignal): Promise<Uint8Array> {
    const response = await this.post(body, signal, 'application/json');
    try {
      return await readAll(response);
    } catch (error) {
      throw this.failure(error, signal);
    }
  }

  async invokeStream(body: string, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>> {
    return this.relay(await this.post(body, signal, 'text/event-stream'), signal);
  }

  private async post(body: string, signal: AbortSignal, accept: string): Promise<IncomingMessage> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept };
    if (this.apiKey) headers.authorization = `Bearer ${await this.apiKey.get()}`;
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

  private async *relay(body: IncomingMessage, signal: AbortSignal): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of body) yield chunk as Buffer;
    } catch (error) {
      throw this.failure(error, signal);
    } finally {
      // The stream left early (a stop sequence reached, the client gone): the connection goes, not a half-read answer.
      if (!body.complete) body.destroy();
    }
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
