import type { OpenAIModel } from '../../core/config.js';
import { GatewayError } from '../../core/gateway-error.js';
import { log } from '../../core/log.js';
import { containerMessage, fromContainerStatus } from '../../core/upstream-errors.js';
import { abortReason } from '../abort.js';
import type { Transport } from '../transport.js';
import { UpstreamApiKey } from './api-key.js';

/**
 * Any OpenAI-compatible server over plain HTTPS (Node's fetch keeps connections alive). Streams are
 * relayed chunk by chunk; the `openai-chat` dialect reads them.
 */
export class OpenAIHttpTransport implements Transport {
  private readonly url: string;

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
    this.url = `${model.baseUrl.replace(/\/+$/, '')}/${operation}`;
  }

  async invoke(body: string, signal: AbortSignal): Promise<Uint8Array> {
    const response = await this.post(body, signal, 'application/json');
    try {
      return new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      throw this.failure(error, signal);
    }
  }

  async invokeStream(body: string, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>> {
    const response = await this.post(body, signal, 'text/event-stream');
    return this.relay(response.body ?? new ReadableStream(), signal);
  }

  private async post(body: string, signal: AbortSignal, accept: string): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept };
    if (this.apiKey) headers.authorization = `Bearer ${await this.apiKey.get()}`;
    const started = performance.now();
    let response: Response;
    try {
      response = await fetch(this.url, { method: 'POST', headers, body, signal });
    } catch (error) {
      const failure = this.failure(error, signal);
      if (log.debugEnabled) this.logCall(body, started, { code: failure.code });
      throw failure;
    }
    if (log.debugEnabled) this.logCall(body, started, { status: response.status });
    if (!response.ok) throw await this.statusError(response);
    return response;
  }

  private async *relay(body: ReadableStream<Uint8Array>, signal: AbortSignal): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) yield chunk;
    } catch (error) {
      throw this.failure(error, signal);
    }
  }

  /** The upstream's own status, as a client should see it. */
  private async statusError(response: Response): Promise<GatewayError> {
    const text = await response.text().catch(() => '');
    const message = (text ? containerMessage(text) : response.statusText).slice(0, 500);
    const name = this.model.name;
    if (response.status === 401 || response.status === 403) {
      return new GatewayError(502, `The upstream of model '${name}' refused the gateway's credentials: ${message}`, {
        code: 'upstream_misconfigured',
      });
    }
    if (response.status === 429) {
      const retryAfter = Number(response.headers.get('retry-after')) || 1;
      return new GatewayError(429, `The upstream of model '${name}' is rate limiting: ${message}`, { code: 'rate_limit_exceeded', retryAfter });
    }
    if (response.status === 404) {
      return new GatewayError(502, `The upstream of model '${name}' has no such model or route (check base_url and model): ${message}`, {
        code: 'upstream_misconfigured',
      });
    }
    return fromContainerStatus(response.status, message, name);
  }

  private failure(error: unknown, signal: AbortSignal): GatewayError {
    if (error instanceof GatewayError) return error;
    if (signal.aborted) return abortReason(signal);
    const inner = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = inner?.code ?? inner?.message ?? (error as Error).name;
    return new GatewayError(502, `Could not reach the upstream of model '${this.model.name}' (${why}).`, { code: 'upstream_error', cause: error });
  }

  private logCall(body: string, started: number, outcome: Record<string, unknown>): void {
    log.debug('upstream call', {
      model: this.model.name,
      url: this.url,
      requestBytes: Buffer.byteLength(body),
      ms: Math.round(performance.now() - started),
      ...outcome,
      ...(log.payloads && { payload: body }),
    });
  }
}

const fixedKey = (key: string) => ({ get: () => Promise.resolve(key) });
