import type { ChatRequest } from './chat-request.js';
import type { Usage } from './chat-types.js';

/**
 * A rough token count (about four characters a token) for containers that report no usage.
 * Responses built on it carry `x-sagegate-usage: estimated` so nobody bills from it unknowingly.
 */
const estimate = (chars: number) => Math.ceil(chars / 4);

export function promptChars(request: ChatRequest): number {
  let chars = 0;
  for (const message of request.messages) {
    const content = message.content;
    if (typeof content === 'string') chars += content.length;
    else if (Array.isArray(content)) for (const part of content) if (part.type === 'text') chars += part.text.length;
  }
  return chars;
}

export function estimatedUsage(request: ChatRequest, completionChars: number): Usage {
  const prompt_tokens = estimate(promptChars(request));
  const completion_tokens = estimate(completionChars);
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
}
