import type { GatewayError } from '../core/gateway-error.js';
import type { AnswerEvent, ChatChoice, Usage } from './chat-types.js';

/** What every object of one completion shares. */
export interface CompletionMeta {
  id: string;
  created: number;
  /** The name the client asked for, never the endpoint's. */
  model: string;
}

export function newCompletionMeta(model: string): CompletionMeta {
  return { id: `chatcmpl-${crypto.randomUUID().replaceAll('-', '')}`, created: Math.floor(Date.now() / 1000), model };
}

export function chatCompletion(meta: CompletionMeta, result: { choices: ChatChoice[] }, usage: Usage): Record<string, unknown> {
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: result.choices.map((c) => ({
      index: c.index,
      message: c.message,
      logprobs: c.logprobs ?? null,
      finish_reason: c.finish_reason,
    })),
    usage,
  };
}

export const SSE_DONE = 'data: [DONE]\n\n';

export function sseError(error: GatewayError): string {
  return `data: ${JSON.stringify(error.toJSON())}\n\n`;
}

/**
 * Encodes a chat model's stream as `chat.completion.chunk` SSE events. The constant head of every
 * chunk is serialised once; only the choice changes per chunk. With `includeUsage`
 * (`stream_options.include_usage`), the answer's usage closes the stream as a chunk with no choices.
 */
export class ChunkEncoder {
  private readonly head: string;
  private readonly roleSent = new Set<number>();
  private usage: Usage | undefined;

  constructor(
    meta: CompletionMeta,
    private readonly includeUsage: boolean,
  ) {
    this.head = `data: {"id":${JSON.stringify(meta.id)},"object":"chat.completion.chunk","created":${meta.created},"model":${JSON.stringify(meta.model)},"choices":`;
  }

  /** The SSE text for one event, or '' when it produces no chunk (usage is held for the end). */
  encode(event: AnswerEvent): string {
    if (event.type === 'usage') {
      this.usage = event.usage;
      return '';
    }
    let delta = event.delta;
    // OpenAI's first delta of each choice carries the role; some containers omit it.
    if (!this.roleSent.has(event.index)) {
      this.roleSent.add(event.index);
      if (delta.role !== 'assistant') delta = { role: 'assistant', ...delta };
    } else if (delta.role !== undefined) {
      const { role: _role, ...rest } = delta;
      delta = rest;
    }
    const choice = { index: event.index, delta, logprobs: event.logprobs ?? null, finish_reason: event.finishReason ?? null };
    return `${this.head}[${JSON.stringify(choice)}]}\n\n`;
  }

  end(): string {
    return this.includeUsage && this.usage ? `${this.head}[],"usage":${JSON.stringify(this.usage)}}\n\n${SSE_DONE}` : SSE_DONE;
  }

  fail(error: GatewayError): string {
    return sseError(error) + SSE_DONE;
  }
}
