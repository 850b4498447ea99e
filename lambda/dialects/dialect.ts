import type { ModelConfig } from '../config/config.js';
import type { ChatRequest } from '../openai/chat-request.js';
import type { ChatResult, ChatStreamEvent } from '../openai/chat-types.js';
import type { CompletionRequest } from '../openai/completions-request.js';
import type { ThinkingMode } from './think-tags.js';
import type { ToolCallTextParser } from './tool-calls/index.js';

/**
 * A dialect is what the bytes look like: how an OpenAI chat request becomes a container's payload,
 * and how the container's answer becomes normalised chat results. It knows nothing about how the
 * bytes travel (see `transports/`), so any dialect works over any transport. A dialect is made once
 * per configured model (a `ChatDialectFactory`), so its methods take only what changes per call.
 */
export interface ChatDialect {
  readonly name: string;
  /** The request fields the container honours, where it refuses others (absent: everything passes through). */
  readonly honours?: ReadonlySet<string>;
  /** Whether the container reports token usage: fully, in part (completion only), or not at all. */
  readonly usage: 'full' | 'partial' | 'none';
  /**
   * The JSON payload for the container (async: prompt templates are loaded on first use). Throws a
   * 400 naming any parameter the container cannot honour, unless the model drops them.
   */
  encodeRequest(request: ChatRequest, stream: boolean): unknown | Promise<unknown>;
  /** A whole (non-streaming) answer, already parsed from JSON. */
  decodeResponse(body: unknown): ChatResult;
  /** A decoder for one stream's payloads; absent for containers that cannot stream. */
  createStreamDecoder?(): StreamDecoder;
  /** End-of-turn markers the gateway must enforce as stops and never show (prompt-template dialects). */
  readonly endOfTurn?: readonly string[];
  /**
   * Legacy completions (`POST /v1/completions`): the payload for a raw prompt (`prompt`, already
   * rendered for fill-in-the-middle; undefined when the client sent several prompts or token ids,
   * which only OpenAI-speaking containers take). Answers are read as chat answers unless the dialect
   * says otherwise below.
   */
  encodeCompletion?(request: CompletionRequest, prompt: string | undefined, stream: boolean): unknown | Promise<unknown>;
  /** A whole legacy completion (OpenAI's `text_completion`), as a chat result whose content is the text. */
  decodeCompletion?(body: unknown): ChatResult;
  createCompletionStreamDecoder?(): StreamDecoder;
  /** How the answer to `request` carries thinking and tool calls in its text (absent: it does not). */
  answerConventions?(request: ChatRequest): AnswerConventions | Promise<AnswerConventions>;
}

/**
 * What the gateway must split out of an answer's text (docs/wire-facts.md §8): thinking written as
 * `<think>` tags, and tool calls written in a template family's format.
 */
export interface AnswerConventions {
  thinking: ThinkingMode;
  /** A parser for one choice's text, when tool calls may be written in it. */
  toolCalls?: () => ToolCallTextParser;
  /** Only the first call counts: the client asked for no parallel calls and the container cannot be told. */
  singleCall?: boolean;
}

/** A dialect whose containers stream. */
export type StreamingChatDialect = ChatDialect & { createStreamDecoder(): StreamDecoder };

/** What a dialect is told of the upstream its payloads go to (the upstream folder owns these facts). */
export interface DialectTarget {
  /** The `model` field to send: the served name, '' or none (the client's own name is never forwarded). */
  modelField?: string;
  /** Whether the upstream takes `max_completion_tokens` (else it is sent as `max_tokens`). */
  takesMaxCompletionTokens?: boolean;
}

export type ChatDialectFactory<D extends ChatDialect = ChatDialect> = (model: ModelConfig, target?: DialectTarget) => D;

export interface StreamDecoder {
  /** Events for one payload (an SSE `data:` value or a JSON line); throws a GatewayError for a container error event. */
  decode(payload: string): ChatStreamEvent[];
}
