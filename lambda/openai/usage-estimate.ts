import type { ChatRequest } from './chat-request.js';
import type { AnswerUsage, ReportedUsage } from './chat-types.js';
import { type EmbeddingsRequest, textInputs } from './embeddings-request.js';

/**
 * A rough token count (about four characters a token) for containers that report no usage.
 * Responses built on it carry `x-sagegate-usage: estimated` so nobody bills from it unknowingly.
 */
const estimateTokens = (chars: number) => Math.ceil(chars / 4);

/** The characters of a chat request's text, for the estimate of its prompt tokens. */
export function promptChars(request: ChatRequest): number {
  let chars = 0;
  for (const message of request.messages) {
    const content = message.content;
    if (typeof content === 'string') chars += content.length;
    else if (Array.isArray(content)) for (const part of content) if (part.type === 'text') chars += part.text.length;
  }
  return chars;
}

/**
 * Usage for the client: what the container reported, completed with estimates where it reported
 * nothing. `estimated` is true when any count is an estimate.
 */
export function completeUsage(promptChars: number, reported: ReportedUsage | undefined, completionChars: number): AnswerUsage {
  const prompt = reported?.prompt_tokens ?? estimateTokens(promptChars);
  const completion = reported?.completion_tokens ?? estimateTokens(completionChars);
  const estimated = reported?.prompt_tokens === undefined || reported.completion_tokens === undefined;
  return { usage: { ...reported, prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion }, estimated };
}

/** Embedding usage: the container's prompt tokens, or an estimate (token ids count themselves). */
export function embeddingsUsage(request: EmbeddingsRequest, reported: number | undefined): { promptTokens: number; estimated: boolean } {
  if (reported !== undefined) return { promptTokens: reported, estimated: false };
  const texts = textInputs(request);
  const promptTokens = texts ? estimateTokens(texts.reduce((n, t) => n + t.length, 0)) : (request.input as number[] | number[][]).flat().length;
  return { promptTokens, estimated: true };
}
