import type { GatewayError } from '../core/gateway-error.js';
import type { AnswerEvent, ChatChoice, Usage } from './chat-types.js';

/** What every object of one legacy completion shares. */
export interface TextCompletionMeta {
  id: string;
  created: number;
  model: string;
}

export function newTextCompletionMeta(model: string): TextCompletionMeta {
  return { id: `cmpl-${crypto.randomUUID().replaceAll('-', '')}`, created: Math.floor(Date.now() / 1000), model };
}

/** `text_completion`: each choice's text (after the prompt, with `echo`). */
export function textCompletion(meta: TextCompletionMeta, choices: ChatChoice[], usage: Usage, echo?: string): Record<string, unknown> {
  return {
    id: meta.id,
    object: 'text_completion',
    created: meta.created,
    model: meta.model,
    system_fingerprint: null,
    choices: choices.map((c) => ({ text: (echo ?? '') + (c.message.content ?? ''), index: c.index, logprobs: null, finish_reason: c.finish_reason })),
    usage,
  };
}

/**
 * Legacy completion streams: chunks with the same `object: "text_completion"` (no `.chunk`), each
 * choice's `text`, `finish_reason` null until its last chunk, a usage chunk with no choices when asked
 * for, and `data: [DONE]`.
 */
export class TextChunkEncoder {
  private readonly head: string;
  private usage: Usage | undefined;
  private readonly echoed = new Set<number>();

  constructor(
    meta: TextCompletionMeta,
    private readonly includeUsage: boolean,
    private readonly echo?: string,
  ) {
    this.head = `data: {"id":${JSON.stringify(meta.id)},"object":"text_completion","created":${meta.created},"model":${JSON.stringify(meta.model)},"choices":`;
  }

  encode(event: AnswerEvent): string {
    if (event.type === 'usage') {
      this.usage = event.usage;
      return '';
    }
    let text = typeof event.delta.content === 'string' ? event.delta.content : '';
    if (this.echo !== undefined && !this.echoed.has(event.index)) {
      this.echoed.add(event.index);
      text = this.echo + text;
    }
    if (text === '' && !event.finishReason) return '';
    const choice = { text, index: event.index, logprobs: null, finish_reason: event.finishReason ?? null };
    return `${this.head}[${JSON.stringify(choice)}]}\n\n`;
  }

  end(): string {
    return `${this.includeUsage && this.usage ? `${this.head}[],"usage":${JSON.stringify(this.usage)}}\n\n` : ''}data: [DONE]\n\n`;
  }

  fail(error: GatewayError): string {
    return `data: ${JSON.stringify(error.toJSON())}\n\ndata: [DONE]\n\n`;
  }
}
