import type { RouterConfig } from '../../lambda/config/config.js';
import { GatewayError } from '../../lambda/core/gateway-error.js';
import type { Answer, AnswerModel, AnswerStream } from '../../lambda/models/answer-model.js';
import type { AnswerEvent, AnswerUsage } from '../../lambda/openai/chat-types.js';
import { abortReason } from '../../lambda/upstreams/abort.js';

/** Small answer models for unit tests of the router and the pipeline (no transport, no timing). */

/** A router config with LiteLLM's defaults, as the config loader writes it. */
export const routerConfig = (overrides: Partial<RouterConfig> = {}): RouterConfig => ({
  strategy: 'simple-shuffle',
  retryAfterSeconds: 0,
  allowedFails: 3,
  cooldownSeconds: 5,
  fallbacks: {},
  contextWindowFallbacks: {},
  defaultFallbacks: [],
  maxFallbacks: 5,
  aliases: {},
  ...overrides,
});

/** A random that returns `values` in turn, then the last one forever. */
export function randoms(...values: number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)]!;
}

/** What a deployment's upstream says, as the transports and dialects throw it. */
export const failures = {
  server: () => new GatewayError(502, "Model 'm' failed: CUDA error", { code: 'upstream_error' }),
  unavailable: (retryAfter?: number) =>
    new GatewayError(503, 'SageMaker is unavailable; retry shortly.', {
      code: 'upstream_unavailable',
      ...(retryAfter !== undefined && { retryAfter }),
    }),
  throttled: (retryAfter = 1) => new GatewayError(429, 'SageMaker is throttling requests.', { code: 'rate_limit_exceeded', retryAfter }),
  starting: (retryAfter = 30) => new GatewayError(503, "Model 'm' is starting.", { code: 'model_starting', retryAfter }),
  misconfigured: () => new GatewayError(502, 'SageMaker rejected the call: no such endpoint', { code: 'upstream_misconfigured' }),
  rejected: () => new GatewayError(400, "Model 'm' rejected the request: bad parameter", { code: 'model_rejected_request' }),
  tooLong: () =>
    new GatewayError(400, "Model 'm' rejected the request: maximum context length is 4096 tokens", {
      code: 'model_rejected_request',
      promptTooLong: true,
    }),
  clientGone: () => new GatewayError(499, 'The client closed the request.', { code: 'client_closed_request' }),
};

/**
 * One call's outcome: an answer, a failure, or an upstream that never answers until the call's signal
 * fires, then fails as the transports do (with the signal's GatewayError: a timeout; else 499).
 */
export type Outcome = 'answer' | 'hang' | GatewayError;

export interface StubModel extends AnswerModel<string> {
  /** The requests it was called with, in order. */
  readonly calls: string[];
  /** Whether the signal of each call has been aborted (by a timeout, or the request's end). */
  readonly signals: AbortSignal[];
}

export const usageOf = (prompt: number, completion: number, estimated = false): AnswerUsage => ({
  usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  estimated,
});

/** The text every stub answer carries: which stub answered. */
export const answerText = (id: string) => `answer from ${id}`;

/** A deployment's model whose calls have the outcomes given, in turn (the last repeats; none: it always answers). */
export function stubModel(
  id: string,
  outcomes: Outcome[] = [],
  /** `holdStream`: a stream's second delta waits for the call's signal (an upstream gone quiet mid-answer). */
  options: { reportsUsage?: boolean; holdStream?: boolean } = {},
): StubModel {
  const calls: string[] = [];
  const signals: AbortSignal[] = [];
  const next = (request: string, signal: AbortSignal): Promise<void> => {
    calls.push(request);
    signals.push(signal);
    const outcome = outcomes[Math.min(calls.length - 1, outcomes.length - 1)] ?? 'answer';
    if (outcome instanceof GatewayError) return Promise.reject(outcome);
    if (outcome === 'hang') return untilAborted(signal);
    return Promise.resolve();
  };
  return {
    name: id,
    reportsUsage: options.reportsUsage ?? true,
    calls,
    signals,
    async complete(request, signal): Promise<Answer> {
      await next(request, signal);
      return {
        choices: [{ index: 0, message: { role: 'assistant', content: answerText(id) }, finish_reason: 'stop' }],
        ...usageOf(3, 4),
        servedBy: id,
      };
    },
    async stream(request, signal): Promise<AnswerStream> {
      await next(request, signal);
      const texts = options.holdStream ? [answerText(id), ' and more'] : [answerText(id)];
      return { ...scriptedStream(texts, usageOf(3, 4), signal, { holdAfterFirst: options.holdStream ?? false }), servedBy: id };
    },
  };
}

/** Rejects once the signal fires, as a transport does: with the reason it maps the abort to. */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const abort = () => reject(abortReason(signal));
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
  });
}

/**
 * A stream of text deltas then the final usage; `usageSoFar` counts one completion token per delta
 * read. With a signal, the stream waits for it after its first delta once `holdAfterFirst` is set.
 */
export function scriptedStream(
  texts: string[],
  final: AnswerUsage,
  signal?: AbortSignal,
  options: { failAfter?: number; error?: unknown; holdAfterFirst?: boolean } = {},
): Omit<AnswerStream, 'servedBy'> & { returned: () => boolean } {
  let read = 0;
  let returned = false;
  async function* events(): AsyncGenerator<AnswerEvent> {
    try {
      for (const [i, content] of texts.entries()) {
        if (options.failAfter === i) throw options.error;
        if (i === 1 && options.holdAfterFirst && signal) await untilAborted(signal);
        read++;
        yield { type: 'delta', index: 0, delta: { content } };
      }
      if (options.failAfter === texts.length) throw options.error;
      yield { type: 'usage', ...final };
    } finally {
      returned = true;
    }
  }
  return {
    events: events(),
    usageSoFar: () => usageOf(final.usage.prompt_tokens, read, true),
    returned: () => returned,
  };
}
