import type { GatewayError } from '../core/gateway-error.js';
import type { AnswerEvent } from '../openai/chat-types.js';
import { anthropicErrorBody } from './errors.js';
import type { MessageEventWriter, MessageStreamEvent } from './message-events.js';

/** One SSE event as Anthropic writes it: the `event:` name is the payload's `type` (its SDKs skip unnamed events). */
export const sseEvent = (event: { type: string }): string => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;

const encodeAll = (events: readonly MessageStreamEvent[]): string => {
  let text = '';
  for (const event of events) text += sseEvent(event);
  return text;
};

/**
 * A chat model's answer events as Anthropic's stream: the writer's events as SSE, and after a failure
 * midway an `error` event (what Anthropic sends, and what its SDKs raise as the typed error), which
 * ends the stream.
 */
export function messageStreamEncoder(writer: MessageEventWriter, requestId?: string) {
  return {
    encode: (event: AnswerEvent): string => encodeAll(writer.take(event)),
    end: (): string => encodeAll(writer.end()),
    fail: (error: GatewayError): string => sseEvent(anthropicErrorBody(error, requestId)),
  };
}
