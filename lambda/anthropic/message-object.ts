import { log } from '../core/log.js';
import type { Answer } from '../models/answer-model.js';
import { type ContentBlock, MessageEventWriter, type MessageMeta, type MessageObject, type MessageStreamEvent } from './message-events.js';
import type { StoppedChoice } from './messages-model.js';

/**
 * The whole message a stream of events makes, as Anthropic's SDKs build it from a stream: so a
 * non-streamed answer is exactly what the same answer streamed adds up to. Tool inputs are the JSON
 * of their streamed arguments.
 */
export class MessageAccumulator {
  private message: MessageObject | undefined;
  private readonly json = new Map<number, string>();

  add(events: readonly MessageStreamEvent[]): void {
    for (const event of events) this.apply(event);
  }

  /** The message, once `message_stop` (or at least `message_start`) has been added. */
  result(): MessageObject {
    if (!this.message) throw new Error('no message_start was added');
    return this.message;
  }

  private apply(event: MessageStreamEvent): void {
    if (event.type === 'message_start') {
      this.message = { ...event.message, content: [], usage: { ...event.message.usage } };
      return;
    }
    const message = this.message;
    if (!message) return;
    switch (event.type) {
      case 'content_block_start':
        message.content[event.index] = { ...event.content_block } as ContentBlock;
        break;
      case 'content_block_delta': {
        const block = message.content[event.index];
        const delta = event.delta;
        if (delta.type === 'text_delta' && block?.type === 'text') block.text += delta.text;
        else if (delta.type === 'thinking_delta' && block?.type === 'thinking') block.thinking += delta.thinking;
        else if (delta.type === 'input_json_delta') this.json.set(event.index, (this.json.get(event.index) ?? '') + delta.partial_json);
        break;
      }
      case 'content_block_stop': {
        const block = message.content[event.index];
        if (block?.type === 'tool_use') block.input = toolInput(this.json.get(event.index) ?? '', block.name);
        break;
      }
      case 'message_delta':
        message.stop_reason = event.delta.stop_reason;
        message.stop_sequence = event.delta.stop_sequence;
        message.usage = { ...message.usage, ...event.usage };
        break;
      default:
        break;
    }
  }
}

/** A call's arguments as the object Anthropic's `input` is; arguments that are no JSON object are logged and sent as `{}`. */
function toolInput(json: string, name: string): Record<string, unknown> {
  if (json.trim() === '') return {};
  try {
    const value = JSON.parse(json);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value;
  } catch {
    // below
  }
  log.warn('a tool call whose arguments are not a JSON object; sent as {}', { tool: name.slice(0, 128) });
  return {};
}

/**
 * The Message of a whole chat answer: the answer replayed as the events of its stream (thinking,
 * text, each call), so a whole message is built exactly as a streamed one.
 */
export function messageFromAnswer(meta: MessageMeta, answer: Answer): MessageObject {
  const writer = new MessageEventWriter(meta);
  const message = new MessageAccumulator();
  const choice = answer.choices[0];
  if (choice) {
    const { role: _role, tool_calls: calls, ...rest } = choice.message;
    message.add(writer.take({ type: 'delta', index: 0, delta: rest }));
    if (Array.isArray(calls)) {
      (calls as { id: string; function: { name: string; arguments: string } }[]).forEach((call, index) => {
        const announce = { index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } };
        message.add(
          writer.take({ type: 'delta', index: 0, delta: { tool_calls: [announce, { index, function: { arguments: call.function.arguments } }] } }),
        );
      });
    }
    const stopSequence = (choice as StoppedChoice).stop_sequence;
    const end = {
      type: 'delta' as const,
      index: 0,
      delta: {},
      finishReason: choice.finish_reason,
      ...(stopSequence !== undefined && { stopSequence }),
    };
    message.add(writer.take(end));
  }
  message.add(writer.take({ type: 'usage', usage: answer.usage, estimated: answer.estimated }));
  message.add(writer.end());
  return message.result();
}
