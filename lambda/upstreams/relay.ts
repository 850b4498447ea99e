import type { AnswerUsage } from '../openai/chat-types.js';

/**
 * An upstream that speaks a client API's own wire format (Anthropic's Messages API on hosted
 * Anthropic): the client's request goes as it came, with only the model name changed, and the
 * answer comes back as the upstream sent it, read only for its usage. Nothing is translated.
 */
export interface Relay {
  /** One request, one whole answer: the upstream's body and its usage. */
  complete(request: RelayRequest, signal: AbortSignal): Promise<RelayedAnswer>;
  /** Resolves once the upstream has accepted the call, then yields its events as they arrive, then their usage. */
  stream(request: RelayRequest, signal: AbortSignal): Promise<RelayedStream>;
}

export interface RelayRequest {
  /** The client's request body, parsed. */
  body: Record<string, unknown>;
  /** Headers of the client's that the upstream's API defines (a feature list, say). */
  headers: Record<string, string>;
}

export interface RelayedAnswer extends AnswerUsage {
  body: unknown;
}

/** One event as the upstream sent it, already framed for the client. */
export interface RelayedFrame {
  type: 'frame';
  text: string;
}

export type RelayedEvent = RelayedFrame | ({ type: 'usage' } & AnswerUsage);

export interface RelayedStream {
  events: AsyncIterableIterator<RelayedEvent>;
  /** The usage of what has come so far (estimated where the upstream has not said yet). */
  usageSoFar(): AnswerUsage;
}
