import type { FinishReason } from '../openai/chat-types.js';

export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal';

/**
 * Why the answer ended, in Anthropic's words: a natural end is `end_turn`, the token limit
 * `max_tokens`, calls `tool_use`, a content filter `refusal`, and one of the client's stop sequences
 * `stop_sequence` (with the sequence: `stop_sequence` on the message).
 */
export function stopReason(finish: FinishReason | null | undefined, stopSequence: string | undefined): StopReason {
  if (stopSequence !== undefined) return 'stop_sequence';
  switch (finish) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}
