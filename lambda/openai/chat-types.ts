import { log } from '../core/log.js';

/**
 * The gateway's normalised view of a chat answer. Dialects decode container output into these;
 * `chat-response.ts` encodes them as OpenAI objects with the gateway's own id, model and timestamps.
 */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  [detail: string]: unknown;
}

export interface ChatChoice {
  index: number;
  /** The assistant message; extra fields an OpenAI container sends (tool_calls, reasoning_content) are kept. */
  message: { role: 'assistant'; content: string | null; [field: string]: unknown };
  finish_reason: FinishReason;
  logprobs?: unknown;
}

/** What a container reported; the gateway estimates what is missing (`openai/usage-estimate.ts`). */
export interface ReportedUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  [detail: string]: unknown;
}

export interface ChatResult {
  choices: ChatChoice[];
  usage?: ReportedUsage;
}

export interface DeltaEvent {
  type: 'delta';
  index: number;
  delta: { content?: string | null; role?: string; [field: string]: unknown };
  finishReason?: FinishReason | null;
  logprobs?: unknown;
}

/** What a dialect reads from a container's stream: deltas, and usage as far as the container reports it. */
export type ChatStreamEvent = DeltaEvent | { type: 'usage'; usage: ReportedUsage };

/** The usage of a whole answer; `estimated` when any count is the gateway's estimate. */
export interface AnswerUsage {
  usage: Usage;
  estimated: boolean;
}

/** What a chat model streams: deltas, then exactly one final usage event. */
export type AnswerEvent = DeltaEvent | ({ type: 'usage' } & AnswerUsage);

const FINISH_REASONS: Record<string, FinishReason> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  content_filter: 'content_filter',
  function_call: 'function_call',
  // What containers say instead (TGI, LMI, vLLM): mapped onto OpenAI's values.
  eos_token: 'stop',
  stop_sequence: 'stop',
  eos: 'stop',
  abort: 'stop',
  max_tokens: 'length',
  model_length: 'length',
};

const reported = new Set<string>();

/**
 * Containers use their own words for why generation ended; clients only know OpenAI's. A word not
 * known here becomes `stop`, and the container's own word goes to the log (once per model and word).
 */
export function normalizeFinishReason(raw: unknown, model: string): FinishReason | null {
  if (raw === null || raw === undefined) return null;
  const word = String(raw);
  const known = FINISH_REASONS[word];
  if (known) return known;
  const key = `${model}\u0000${word}`;
  if (!reported.has(key) && reported.size < 1000) {
    reported.add(key);
    log.warn('unrecognised finish reason; sent as stop', { model, finishReason: word.slice(0, 100) });
  }
  return 'stop';
}

export function isUsage(value: unknown): value is Usage {
  const u = value as Usage | null | undefined;
  return typeof u?.prompt_tokens === 'number' && typeof u.completion_tokens === 'number';
}

/** A token count a container reported, or undefined. */
export function tokenCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/**
 * Where a tool came from in the client's request (`tools[7]`), when the gateway translated the
 * request (the Responses API): errors about the tool name that place. A symbol, so it never reaches
 * a payload.
 */
export const TOOL_PARAM = Symbol('sagegate.toolParam');
