import { GatewayError } from '../core/gateway-error.js';

/**
 * How model containers and OpenAI-compatible servers report errors, and what a client should see
 * of them. Both sides need this: transports read error bodies that come with an HTTP status, and
 * dialects read the same shapes inside a 200 answer or a stream (docs/wire-facts.md §2):
 * TGI `{"error":"...","error_type":"validation"}`, vLLM `{"error":{"message","type","code"}}`,
 * older vLLM `{"object":"error","message","code"}`, LMI `{"code","message"}`.
 */
export interface ContainerError {
  message: string;
  /** The HTTP status the container meant, when it says. */
  status?: number;
  /** Its own kind or type word (`validation`, `BadRequestError`). */
  kind?: string;
}

/** The error in `body`, or undefined when it is no error. */
export function containerError(body: unknown): ContainerError | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.error === 'string') {
    const kind = typeof b.error_type === 'string' ? b.error_type : undefined;
    return { message: b.error, kind, status: kind ? TGI_STATUS[kind] : undefined };
  }
  if (typeof b.error === 'object' && b.error !== null) {
    const e = b.error as Record<string, unknown>;
    if (typeof e.message === 'string') return { message: e.message, status: statusOf(e.code), kind: typeof e.type === 'string' ? e.type : undefined };
  }
  if (b.object === 'error' && typeof b.message === 'string') return { message: b.message, status: statusOf(b.code) };
  return undefined;
}

/** A container error's message from a body that may be JSON, else the text itself. */
export function containerMessage(text: string): string {
  try {
    return containerError(JSON.parse(text))?.message ?? text;
  } catch {
    return text;
  }
}

const TGI_STATUS: Record<string, number> = { validation: 422, overloaded: 429, generation: 424, incomplete_generation: 500 };

function statusOf(code: unknown): number | undefined {
  const n = typeof code === 'number' ? code : typeof code === 'string' ? Number(code) : Number.NaN;
  return Number.isInteger(n) && n >= 400 && n < 600 ? n : undefined;
}

/**
 * How a container's own error reaches the client: a 4xx from the container means the request was
 * unacceptable to the model (a prompt too long, a bad parameter) and is the client's to fix (400);
 * overload is a 429; anything else is the upstream's failure (502).
 */
export function fromContainerStatus(status: number | undefined, message: string, model: string, cause?: unknown): GatewayError {
  if (status === 429) return new GatewayError(429, `Model '${model}' is overloaded: ${message}`, { code: 'model_overloaded', retryAfter: 1, cause });
  if (status !== undefined && status >= 400 && status < 500) {
    return new GatewayError(400, `Model '${model}' rejected the request: ${message}`, {
      code: 'model_rejected_request',
      cause,
      // For the router's context-window fallbacks.
      promptTooLong: saysPromptTooLong(message),
    });
  }
  return new GatewayError(502, `Model '${model}' failed: ${message}`, { code: 'upstream_error', cause });
}

/**
 * How TGI, vLLM, LMI, llama.cpp, OpenAI and Anthropic say a prompt does not fit the context window
 * (docs/wire-facts.md §7). Lower-cased substrings.
 */
const PROMPT_TOO_LONG = [
  'maximum context length', // OpenAI, vLLM: "This model's maximum context length is 4096 tokens"
  '`inputs` tokens + `max_new_tokens` must be', // TGI, LMI with TGI compatibility
  "is longer than the model's context length",
  'is longer than the maximum model length', // vLLM: "The decoder prompt (length 9000) is longer than the maximum model length of 8192"
  'too long and exceeds limit', // vLLM: "Input prompt (9000 tokens) is too long and exceeds limit of 8192"
  'exceed context limit',
  "model's maximum context limit",
  'input tokens exceed the configured limit',
  'exceeds the available context size', // llama.cpp
  'prompt is too long', // Anthropic
  'context_length_exceeded',
];

export function saysPromptTooLong(message: string): boolean {
  const text = message.toLowerCase();
  return PROMPT_TOO_LONG.some((phrase) => text.includes(phrase));
}

/** A container error found in a 200 answer or a stream event. */
export function failOnContainerError(body: unknown, model: string): void {
  const failure = containerError(body);
  if (failure) throw fromContainerStatus(failure.status, failure.message, model);
}

/** An answer the dialect cannot read. */
export const unreadableAnswer = (model: string, dialect: string) =>
  new GatewayError(502, `Model '${model}' answered in a format the '${dialect}' dialect does not understand.`, { code: 'upstream_error' });

/** A stream event that is not JSON. */
export const malformedEvent = (model: string) => new GatewayError(502, `Model '${model}' sent a malformed stream event.`, { code: 'upstream_error' });
