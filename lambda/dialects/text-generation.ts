import { GatewayError, invalidRequest } from '../http/errors.js';
import type { ChatRequest } from '../openai/chat-request.js';
import { normalizeFinishReason, tokenCount, type ChatChoice, type ChatResult, type ChatStreamEvent } from '../openai/chat-types.js';
import type { ModelConfig } from '../config/types.js';
import { containerError, fromContainerStatus } from './container-errors.js';
import type { ChatDialect, StreamDecoder } from './dialect.js';
import { renderPrompt, templateSpec } from './templates/render-prompt.js';

/**
 * What the prompt-string dialects share (TGI generate, LMI rolling batch, JumpStart): rendering the
 * conversation with the model's chat template, mapping OpenAI's sampling parameters, and reading
 * `generated_text` answers and token streams.
 */

/** A request parameter, or the model's configured default for it. */
export function param<T = unknown>(request: ChatRequest, model: ModelConfig, key: string): T | undefined {
  const value = (request as Record<string, unknown>)[key] ?? model.defaults[key];
  return (value ?? undefined) as T | undefined;
}

export function promptFor(request: ChatRequest, model: ModelConfig): Promise<string> {
  return renderPrompt(templateSpec(model.chatTemplate), request.messages);
}

/** The template's end-of-turn markers: stop sequences the gateway enforces and never shows. */
export function templateStops(model: ModelConfig): string[] {
  return templateSpec(model.chatTemplate).stop;
}

/** Refuses what a prompt-string container cannot do, rather than dropping it. */
export function assertPlainGeneration(request: ChatRequest, model: ModelConfig, dialect: string, maxChoices = 1): void {
  if (request.tools?.length) {
    throw invalidRequest(`Model '${model.name}' (${dialect} container) does not support tools.`, 'tools', 'unsupported_parameter');
  }
  if ((request.n ?? 1) > maxChoices) {
    throw invalidRequest(`Model '${model.name}' (${dialect} container) returns ${maxChoices === 1 ? 'one choice; n must be 1' : `at most ${maxChoices} choices`}.`, 'n', 'unsupported_parameter');
  }
}

/**
 * OpenAI sampling parameters as TGI/LMI generation parameters. Temperature 0 means greedy decoding
 * (`do_sample: false`), not a small positive fudge; top_p of 1 means no nucleus filtering.
 */
export function generationParameters(request: ChatRequest, model: ModelConfig, stopKey: 'stop' | 'stop_sequences'): Record<string, unknown> {
  const out: Record<string, unknown> = { details: true, ...sampling(request, model) };
  const stop = param<string | string[]>(request, model, 'stop');
  if (stop !== undefined) out[stopKey] = typeof stop === 'string' ? [stop] : stop;
  for (const key of ['seed', 'frequency_penalty', 'top_k', 'repetition_penalty', 'typical_p', 'truncate']) {
    const value = param(request, model, key);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Length and sampling, in the Hugging Face names every prompt-string container shares. */
export function sampling(request: ChatRequest, model: ModelConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const maxTokens = param<number>(request, model, 'max_completion_tokens') ?? param<number>(request, model, 'max_tokens');
  if (maxTokens !== undefined) out.max_new_tokens = maxTokens;
  const temperature = param<number>(request, model, 'temperature');
  if (temperature === 0) out.do_sample = false;
  else if (temperature !== undefined) Object.assign(out, { temperature, do_sample: true });
  const topP = param<number>(request, model, 'top_p');
  if (topP !== undefined && topP > 0 && topP < 1 && temperature !== 0) Object.assign(out, { top_p: topP, do_sample: true });
  return out;
}

/** Whole answers: TGI `[{"generated_text"}]`, LMI `{"generated_text","details"}`. */
export function decodeGeneratedText(body: unknown, model: ModelConfig, dialect: string): ChatResult {
  failOnContainerError(body, model);
  const first = (Array.isArray(body) ? body[0] : body) as { generated_text?: unknown; details?: Record<string, unknown> } | undefined;
  if (typeof first?.generated_text !== 'string') throw unexpected(model, dialect);
  const details = first.details;
  const choice: ChatChoice = {
    index: 0,
    message: { role: 'assistant', content: first.generated_text },
    finish_reason: normalizeFinishReason(details?.finish_reason ?? details?.['finish reason']) ?? 'stop',
  };
  return { choices: [choice], usage: detailsUsage(details) };
}

/**
 * Token streams: TGI SSE `data:{"token":{...},"generated_text":null,"details":null}` and LMI JSON lines
 * (`log_prob` or `logprob`). Special tokens and end-of-turn markers are dropped; the last event's
 * `details` gives the finish reason and token counts. LMI reports a failure after HTTP 200 as a
 * token with id -1 and `finish_reason: "error"`.
 */
export function tokenStreamDecoder(model: ModelConfig, dialect: string): StreamDecoder {
  const hidden = new Set(templateStops(model));
  return {
    decode(payload) {
      const event = parseEvent(payload, model);
      failOnContainerError(event, model);
      const token = event.token as { id?: number; text?: unknown; special?: boolean } | undefined;
      const details = event.details as Record<string, unknown> | null | undefined;
      const finish = details?.finish_reason ?? details?.['finish reason'];
      if (finish === 'error' || token?.id === -1) {
        const message = String(details?.error_msg ?? event.error ?? 'generation failed inside the container');
        throw new GatewayError(502, `Model '${model.name}' failed: ${message}`, { code: 'upstream_error' });
      }
      const events: ChatStreamEvent[] = [];
      if (token && typeof token.text === 'string' && token.text !== '' && !token.special && !hidden.has(token.text)) {
        events.push({ type: 'delta', index: 0, delta: { content: token.text } });
      } else if (!token && typeof event.generated_text === 'string' && !details) {
        throw unexpected(model, dialect);
      }
      if (details) {
        events.push({ type: 'delta', index: 0, delta: {}, finishReason: normalizeFinishReason(finish) ?? 'stop' });
        const usage = detailsUsage(details);
        if (usage) events.push({ type: 'usage', usage });
      }
      return events;
    },
  };
}

/** TGI: `generated_tokens` and (newer versions, streams) `input_length`; LMI may add `prompt_tokens`. */
function detailsUsage(details: Record<string, unknown> | undefined | null) {
  if (!details) return undefined;
  const completion = tokenCount(details.generated_tokens);
  const prompt = tokenCount(details.input_length) ?? tokenCount(details.prompt_tokens) ?? (Array.isArray(details.prefill) && details.prefill.length ? details.prefill.length : undefined);
  if (completion === undefined && prompt === undefined) return undefined;
  return { ...(prompt !== undefined && { prompt_tokens: prompt }), ...(completion !== undefined && { completion_tokens: completion }) };
}

export function parseEvent(payload: string, model: ModelConfig): Record<string, unknown> {
  try {
    const value = JSON.parse(payload);
    if (typeof value === 'object' && value !== null) return value;
  } catch {
    // fall through
  }
  throw new GatewayError(502, `Model '${model.name}' sent a malformed stream event.`, { code: 'upstream_error' });
}

export function failOnContainerError(body: unknown, model: ModelConfig): void {
  const failure = containerError(body);
  if (failure) throw fromContainerStatus(failure.status, failure.message, model.name);
}

export const unexpected = (model: ModelConfig, dialect: string) =>
  new GatewayError(502, `Model '${model.name}' answered in a format the '${dialect}' dialect does not understand.`, { code: 'upstream_error' });

/**
 * The `{"inputs","parameters","stream"}` family (TGI generate, LMI rolling batch): they differ only in
 * the name of the stop parameter and in extra parameters of their own.
 */
export function generateDialect(
  name: string,
  stopKey: 'stop' | 'stop_sequences',
  extraParameters: (request: ChatRequest) => Record<string, unknown> = () => ({}),
): ChatDialect {
  return {
    name,
    streams: true,
    usage: 'partial',
    async encodeRequest(request, model, stream) {
      assertPlainGeneration(request, model, name);
      const parameters = { ...generationParameters(request, model, stopKey), ...extraParameters(request) };
      return { inputs: await promptFor(request, model), parameters, stream };
    },
    decodeResponse: (body, model) => decodeGeneratedText(body, model, name),
    createStreamDecoder: (model) => tokenStreamDecoder(model, name),
    endOfTurn: templateStops,
  };
}
