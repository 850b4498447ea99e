import type { ModelConfig } from '../core/config.js';
import { failOnContainerError, unreadableAnswer } from '../core/upstream-errors.js';
import type { ChatDialect } from './dialect.js';
import { templateSpec } from './templates/render-prompt.js';
import { BASE_PARAMETERS, param, plainGeneration, promptFor, sampling } from './text-generation.js';

const NAME = 'jumpstart-text';
const HONOURED = new Set(BASE_PARAMETERS);
/** JumpStart's `num_return_sequences` limit. */
const MAX_CHOICES = 8;

/**
 * Older JumpStart text models: `{"text_inputs", "max_new_tokens", ...}` answered by
 * `{"generated_texts": [...]}`. They cannot stream (so no stream decoder) and report no usage: the
 * gateway streams the whole answer itself and estimates usage (saying so in `x-sagegate-usage`).
 */
export function jumpstartText(model: ModelConfig): ChatDialect {
  return {
    name: NAME,
    honours: HONOURED,
    usage: 'none',
    endOfTurn: templateSpec(model.chatTemplate).stop,

    async encodeRequest(request) {
      const honoured = plainGeneration(request, model, NAME, HONOURED, MAX_CHOICES);
      const body: Record<string, unknown> = { text_inputs: await promptFor(honoured, model), ...sampling(honoured, model) };
      const seed = param<number>(honoured, model, 'seed');
      if (seed !== undefined) body.seed = seed;
      if ((honoured.n ?? 1) > 1) body.num_return_sequences = honoured.n;
      return body;
    },

    decodeResponse(body) {
      failOnContainerError(body, model.name);
      const b = body as { generated_texts?: unknown; generated_text?: unknown } | unknown[] | null;
      const texts = Array.isArray(b)
        ? b.map((item) => (item as { generated_text?: unknown })?.generated_text)
        : Array.isArray(b?.generated_texts)
          ? b.generated_texts
          : [b?.generated_text];
      if (texts.length === 0 || !texts.every((t) => typeof t === 'string')) throw unreadableAnswer(model.name, NAME);
      return { choices: (texts as string[]).map((text, index) => ({ index, message: { role: 'assistant', content: text }, finish_reason: 'stop' })) };
    },
  };
}
