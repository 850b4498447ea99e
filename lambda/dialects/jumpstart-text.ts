import type { ModelConfig } from '../config/config.js';
import { failOnContainerError, unreadableAnswer } from '../containers/container-errors.js';
import type { ChatRequest } from '../openai/chat-request.js';
import type { ChatDialect } from './dialect.js';
import { templateSpec } from './templates/render-prompt.js';
import {
  answerConventions,
  BASE_PARAMETERS,
  honouredFor,
  param,
  plainCompletion,
  plainGeneration,
  promptFor,
  sampling,
  toolPlan,
} from './text-generation.js';

const NAME = 'jumpstart-text';
/** JumpStart's `num_return_sequences` limit. */
const MAX_CHOICES = 8;

/**
 * Older JumpStart text models: `{"text_inputs", "max_new_tokens", ...}` answered by
 * `{"generated_texts": [...]}`. They cannot stream (so no stream decoder) and report no usage: the
 * gateway streams the whole answer itself and estimates usage (saying so in `x-sagegate-usage`).
 */
export function jumpstartText(model: ModelConfig): ChatDialect {
  const honoured = honouredFor(model, BASE_PARAMETERS);
  const payload = (prompt: string, sent: ChatRequest) => {
    const body: Record<string, unknown> = { text_inputs: prompt, ...sampling(sent, model) };
    const seed = param<number>(sent, model, 'seed');
    if (seed !== undefined) body.seed = seed;
    if ((sent.n ?? 1) > 1) body.num_return_sequences = sent.n;
    return body;
  };
  return {
    name: NAME,
    honours: honoured,
    usage: 'none',
    endOfTurn: templateSpec(model.chatTemplate).stop,

    async encodeRequest(request) {
      const plan = toolPlan(request, model, NAME, false);
      const sent = plainGeneration(request, model, NAME, honoured, MAX_CHOICES);
      return payload(await promptFor(sent, model, plan), sent);
    },

    encodeCompletion(request, prompt) {
      return payload(prompt!, plainCompletion(request, prompt, model, NAME, honoured, MAX_CHOICES));
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

    answerConventions: (request) => answerConventions(request, model, toolPlan(request, model, NAME, false)),
  };
}
