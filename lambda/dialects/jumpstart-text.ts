import type { ChatRequest } from '../openai/chat-request.js';
import type { ChatResult } from '../openai/chat-types.js';
import type { ModelConfig } from '../config/types.js';
import type { ChatDialect } from './dialect.js';
import { assertPlainGeneration, failOnContainerError, param, promptFor, sampling, templateStops, unexpected } from './text-generation.js';

const NAME = 'jumpstart-text';

/**
 * Older JumpStart text models: `{"text_inputs", "max_new_tokens", ...}` answered by
 * `{"generated_texts": [...]}`. They cannot stream and report no usage: the gateway streams the
 * whole answer itself and estimates usage (saying so in `x-sagegate-usage`).
 */
export const jumpstartText: ChatDialect = {
  name: NAME,
  streams: false,
  usage: 'none',

  async encodeRequest(request: ChatRequest, model: ModelConfig) {
    assertPlainGeneration(request, model, NAME, 8);
    const body: Record<string, unknown> = { text_inputs: await promptFor(request, model), ...sampling(request, model) };
    const seed = param<number>(request, model, 'seed');
    if (seed !== undefined) body.seed = seed;
    if ((request.n ?? 1) > 1) body.num_return_sequences = request.n;
    return body;
  },

  decodeResponse(body: unknown, model: ModelConfig): ChatResult {
    failOnContainerError(body, model);
    const b = body as { generated_texts?: unknown; generated_text?: unknown } | unknown[] | null;
    const texts = Array.isArray(b)
      ? b.map((item) => (item as { generated_text?: unknown })?.generated_text)
      : Array.isArray(b?.generated_texts)
        ? b.generated_texts
        : [b?.generated_text];
    if (texts.length === 0 || !texts.every((t) => typeof t === 'string')) throw unexpected(model, NAME);
    return { choices: (texts as string[]).map((text, index) => ({ index, message: { role: 'assistant', content: text }, finish_reason: 'stop' })) };
  },

  endOfTurn: templateStops,

  createStreamDecoder(model) {
    return {
      decode() {
        throw unexpected(model, NAME);
      },
    };
  },
};
