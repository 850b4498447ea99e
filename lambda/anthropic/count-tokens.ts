import type { ChatMessage } from '../openai/chat-request.js';

/**
 * `POST /v1/messages/count_tokens` on a self-hosted model: the gateway has no tokenizer of the
 * model's, so the count is its usual estimate (about four characters a token, as for usage the
 * container does not report) of what the model would be sent: system, messages, call arguments and
 * tool definitions. Answers built on it say `x-sagegate-usage: estimated`.
 */
export function estimateInputTokens(prompt: { messages: ChatMessage[]; tools?: unknown }): number {
  let chars = 0;
  for (const message of prompt.messages) {
    const m = message as { content?: unknown; reasoning_content?: unknown; tool_calls?: unknown };
    if (typeof m.content === 'string') chars += m.content.length;
    else if (Array.isArray(m.content)) for (const part of m.content) if (part?.type === 'text') chars += String(part.text).length;
    if (typeof m.reasoning_content === 'string') chars += m.reasoning_content.length;
    if (Array.isArray(m.tool_calls)) for (const call of m.tool_calls) chars += String(call?.function?.arguments ?? '').length;
  }
  if (Array.isArray(prompt.tools) && prompt.tools.length) chars += JSON.stringify(prompt.tools).length;
  return Math.ceil(chars / 4);
}
