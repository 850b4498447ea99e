import type { AnswerEvent, FinishReason, Usage } from '../openai/chat-types.js';
import { type StopReason, stopReason } from './stop-reason.js';
import { stoppedAt } from './stop-sequences.js';

/** What every event of one message shares. */
export interface MessageMeta {
  id: string;
  /** The name the client asked for. */
  model: string;
  /** Input tokens as far as they are known before the answer (an estimate; the final count comes in `message_delta`). */
  inputTokens: number;
  /** `thinking.display: "omitted"`: thinking blocks go out empty, as Anthropic sends them then. */
  omitThinking?: boolean;
}

export const newMessageId = () => `msg_${crypto.randomUUID().replaceAll('-', '')}`;

export type ContentBlock =
  | { type: 'text'; text: string; citations?: null }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface MessageUsage {
  input_tokens: number;
  output_tokens: number;
  /** Self-hosted models keep no prompt cache: always 0, so that clients computing cache savings see none. */
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  [detail: string]: unknown;
}

export interface MessageObject {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ContentBlock[];
  stop_reason: StopReason | null;
  stop_sequence: string | null;
  usage: MessageUsage;
}

export type MessageStreamEvent =
  | { type: 'message_start'; message: MessageObject }
  | { type: 'content_block_start'; index: number; content_block: ContentBlock }
  | {
      type: 'content_block_delta';
      index: number;
      delta: { type: 'text_delta'; text: string } | { type: 'thinking_delta'; thinking: string } | { type: 'input_json_delta'; partial_json: string };
    }
  | { type: 'content_block_stop'; index: number }
  | { type: 'message_delta'; delta: { stop_reason: StopReason; stop_sequence: string | null }; usage: MessageUsage }
  | { type: 'message_stop' }
  | { type: 'ping' };

export function messageUsage(usage: Pick<Usage, 'prompt_tokens' | 'completion_tokens'>): MessageUsage {
  return {
    input_tokens: usage.prompt_tokens,
    output_tokens: usage.completion_tokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
}

interface CallDelta {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

type OpenKind = 'text' | 'thinking' | 'tool_use';

/**
 * Anthropic's event sequence for one message, fed a chat model's answer events: `message_start`,
 * then each content block in order (`content_block_start`, its deltas, `content_block_stop`; a `ping`
 * after the first start, as Anthropic sends one), then `message_delta` with the stop reason and the
 * usage, then `message_stop`. Blocks are opened one at a time and numbered from 0: thinking
 * (`thinking_delta`), text (`text_delta`), and each tool call (`tool_use`, its arguments as
 * `input_json_delta`). Only the first choice is read (Anthropic answers one).
 */
export class MessageEventWriter {
  private started = false;
  private blocks = 0;
  private open: { kind: OpenKind; index: number; call?: number } | undefined;
  private readonly calls = new Map<number, number>();
  private finish: FinishReason | null | undefined;
  private stopSequence: string | undefined;
  private usage: MessageUsage | undefined;

  constructor(private readonly meta: MessageMeta) {}

  /** The events for one answer event (several, or none). */
  take(event: AnswerEvent): MessageStreamEvent[] {
    const out = this.start();
    if (event.type === 'usage') {
      this.usage = messageUsage(event.usage);
      return out;
    }
    if (event.index !== 0) return out;
    const { reasoning_content: reasoning, content, tool_calls: calls } = event.delta;
    if (typeof reasoning === 'string' && reasoning) this.text(out, 'thinking', reasoning);
    if (typeof content === 'string' && content) this.text(out, 'text', content);
    if (Array.isArray(calls)) for (const call of calls) this.call(out, call as CallDelta);
    if (event.finishReason) this.finish = event.finishReason;
    const stop = stoppedAt(event);
    if (stop !== undefined) this.stopSequence = stop;
    return out;
  }

  /** The open block closed (an empty answer is still one empty text block), `message_delta`, `message_stop`. */
  end(): MessageStreamEvent[] {
    const out = this.start();
    this.close(out);
    if (this.blocks === 0) {
      this.text(out, 'text', '');
      this.close(out);
    }
    out.push({
      type: 'message_delta',
      delta: { stop_reason: stopReason(this.finish, this.stopSequence), stop_sequence: this.stopSequence ?? null },
      usage: this.usage ?? messageUsage({ prompt_tokens: this.meta.inputTokens, completion_tokens: 0 }),
    });
    out.push({ type: 'message_stop' });
    return out;
  }

  private start(): MessageStreamEvent[] {
    if (this.started) return [];
    this.started = true;
    const message: MessageObject = {
      id: this.meta.id,
      type: 'message',
      role: 'assistant',
      model: this.meta.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: messageUsage({ prompt_tokens: this.meta.inputTokens, completion_tokens: 0 }),
    };
    return [{ type: 'message_start', message }];
  }

  private begin(out: MessageStreamEvent[], kind: OpenKind, block: ContentBlock, call?: number): number {
    this.close(out);
    const index = this.blocks++;
    this.open = { kind, index, call };
    out.push({ type: 'content_block_start', index, content_block: block });
    if (index === 0) out.push({ type: 'ping' });
    return index;
  }

  private close(out: MessageStreamEvent[]): void {
    if (!this.open) return;
    out.push({ type: 'content_block_stop', index: this.open.index });
    this.open = undefined;
  }

  private text(out: MessageStreamEvent[], kind: 'text' | 'thinking', delta: string): void {
    if (this.open?.kind !== kind) {
      this.begin(out, kind, kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' });
    }
    if (delta === '' || (kind === 'thinking' && this.meta.omitThinking)) return;
    const index = this.open!.index;
    out.push({
      type: 'content_block_delta',
      index,
      delta: kind === 'text' ? { type: 'text_delta', text: delta } : { type: 'thinking_delta', thinking: delta },
    });
  }

  private call(out: MessageStreamEvent[], delta: CallDelta): void {
    const callIndex = typeof delta.index === 'number' ? delta.index : 0;
    let index = this.calls.get(callIndex);
    if (index === undefined) {
      // The normaliser announces each call with its id and name before any arguments.
      index = this.begin(out, 'tool_use', { type: 'tool_use', id: delta.id ?? '', name: delta.function?.name ?? '', input: {} }, callIndex);
      this.calls.set(callIndex, index);
    }
    const args = delta.function?.arguments;
    if (typeof args === 'string' && args) out.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: args } });
  }
}
