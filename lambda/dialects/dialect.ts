import type { ChatRequest } from '../openai/chat-request.js';
import type { ChatResult, ChatStreamEvent } from '../openai/chat-types.js';
import type { ModelConfig } from '../config/types.js';

/**
 * A dialect is what the bytes look like: how an OpenAI chat request becomes a container's payload,
 * and how the container's answer becomes normalised chat results. It knows nothing about how the
 * bytes travel (see `providers/transport.ts`), so any dialect works over any transport.
 */
export interface ChatDialect {
  readonly name: string;
  /** False for containers that cannot stream: the gateway invokes once and streams the answer itself. */
  readonly streams: boolean;
  /** Whether the container reports token usage: fully, in part (completion only), or not at all. */
  readonly usage: 'full' | 'partial' | 'none';
  /** The JSON payload for the container (async: prompt templates are loaded on first use). */
  encodeRequest(request: ChatRequest, model: ModelConfig, stream: boolean): unknown | Promise<unknown>;
  /** A whole (non-streaming) answer, already parsed from JSON. */
  decodeResponse(body: unknown, model: ModelConfig): ChatResult;
  /** A decoder for one stream's payloads (SSE `data:` values or JSON lines, already unframed). */
  createStreamDecoder(model: ModelConfig): StreamDecoder;
  /** End-of-turn markers the gateway must enforce as stops and never show (prompt-template dialects). */
  endOfTurn?(model: ModelConfig): string[];
}

export interface StreamDecoder {
  /** Events for one payload; throws a GatewayError for a container error event. */
  decode(payload: string): ChatStreamEvent[];
}
