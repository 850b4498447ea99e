import type { ModelConfig } from '../core/config.js';
import { GatewayError, invalidRequest } from '../core/gateway-error.js';
import { failOnContainerError, malformedEvent, unreadableAnswer } from '../core/upstream-errors.js';
import type { ChatRequest } from '../openai/chat-request.js';
import { type ChatChoice, type ChatResult, type ChatStreamEvent, normalizeFinishReason, tokenCount } from '../openai/chat-types.js';
import type { StreamDecoder, StreamingChatDialect } from './dialect.js';
import { honouredOnly } from './parameters.js';
import { renderPrompt, templateSpec } from './templates/render-prompt.js';

/**
 * What the prompt-string dialects share (TGI generate, LMI rolling batch, JumpStart): rendering the
 * conversation with the model's chat template, mapping OpenAI's sampling parameters, and reading
 * `generated_text` answers and token streams.
 */

/** What every prompt-string container honours (stops are enforced by the gateway itself). */
export const BASE_PARAMETERS = ['max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'stop', 'seed', 'n'];

/** A request parameter, or the model's configured default for it. */
export function param<T = unknown>(request: ChatRequest, model: ModelConfig, key: string): T | undefined {
  const value = (request as Record<string, unknown>)[key] ?? model.defaults[key];
  return (value ?? undefined) as T | undefined;
}

export function promptFor(request: ChatRequest, model: ModelConfig): Promise<string> {
  return renderPrompt(templateSpec(model.chatTemplate), request.messages);
}

/**
 * The request as a prompt-string container can take it: tools (where it has none), more choices
 * than it returns, and any parameter outside `honoured` are refused with a 400 naming them, never
 * silently lost (or dropped, when the model says so).
 */
export function plainGeneration(
  request: ChatRequest,
  model: ModelConfig,
  dialect: string,
  honoured: ReadonlySet<string>,
  maxChoices = 1,
): ChatRequest {
  if (request.tools?.length && !model.dropParams) {
    throw invalidRequest(`Model '${model.name}' (${dialect} container) does not support tools.`, 'tools', 'unsupported_parameter');
  }
  if ((request.n ?? 1) > maxChoices) {
    throw invalidRequest(
      `Model '${model.name}' (${dialect} container) returns ${maxChoices === 1 ? 'one choice; n must be 1' : `at most ${maxChoices} choices`}.`,
      'n',
      'unsupported_parameter',
    );
  }
  return honouredOnly(request, honoured, model, dialect);
}

/** Length and sampling, in the Hugging Face names every prompt-string container shares. */
export function sampling(request: ChatRequest, model: ModelConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const maxTokens = param<number>(request, model, 'max_completion_tokens') ?? param<number>(request, model, 'max_tokens');
  if (maxTokens !== undefined) out.max_new_tokens = maxTokens;
  const temperature = param<number>(request, model, 'temperature');
  // Temperature 0 means greedy decoding (`do_sample: false`), not a small positive fudge.
  if (temperature === 0) out.do_sample = false;
  else if (temperature !== undefined) Object.assign(out, { temperature, do_sample: true });
  // top_p of 1 means no nucleus filtering.
  const topP = param<number>(request, model, 'top_p');
  if (topP !== undefined && topP > 0 && topP < 1 && temperature !== 0) Object.assign(out, { top_p: topP, do_sample: true });
  return out;
}

/** Whole answers: TGI `[{"generated_text"}]`, LMI `{"generated_text","details"}`. */
export function decodeGeneratedText(body: unknown, model: ModelConfig, dialect: string): ChatResult {
  failOnContainerError(body, model.name);
  const first = (Array.isArray(body) ? body[0] : body) as { generated_text?: unknown; details?: Record<string, unknown> } | undefined;
  if (typeof first?.generated_text !== 'string') throw unreadableAnswer(model.name, dialect);
  const details = first.details;
  const choice: ChatChoice = {
    index: 0,
    message: { role: 'assistant', content: first.generated_text },
    finish_reason: normalizeFinishReason(details?.finish_reason ?? details?.['finish reason'], model.name) ?? 'stop',
  };
  return { choices: [choice], usage: detailsUsage(details) };
}

/**
 * Token streams: TGI SSE `data:{"token":{...},"generated_text":null,"details":null}` and LMI JSON lines
 * (`log_prob` or `logprob`). Special tokens and end-of-turn markers are dropped; the last event's
 * `details` gives the finish reason and token counts. LMI reports a failure after HTTP 200 as a
 * token with id -1 and `finish_reason: "error"`.
 */
export function tokenStreamDecoder(model: ModelConfig, dialect: string, hidden: ReadonlySet<string>): StreamDecoder {
  return {
    decode(payload) {
      const event = parseEvent(payload, model.name);
      failOnContainerError(event, model.name);
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
        throw unreadableAnswer(model.name, dialect);
      }
      if (details) {
        events.push({ type: 'delta', index: 0, delta: {}, finishReason: normalizeFinishReason(finish, model.name) ?? 'stop' });
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
  const prompt =
    tokenCount(details.input_length) ??
    tokenCount(details.prompt_tokens) ??
    (Array.isArray(details.prefill) && details.prefill.length ? details.prefill.length : undefined);
  if (completion === undefined && prompt === undefined) return undefined;
  return { ...(prompt !== undefined && { prompt_tokens: prompt }), ...(completion !== undefined && { completion_tokens: completion }) };
}

export function parseEvent(payload: string, model: string): Record<string, unknown> {
  try {
    const value = JSON.parse(payload);
    if (typeof value === 'object' && value !== null) return value;
  } catch {
    // fall through
  }
  throw malformedEvent(model);
}

/**
 * The `{"inputs","parameters","stream"}` family (TGI generate, LMI rolling batch): they differ in the
 * name of the stop parameter, in the parameters they honour beyond the shared ones, and in extra
 * parameters of their own.
 */
export function generateDialect(
  name: string,
  options: {
    stopKey: 'stop' | 'stop_sequences';
    /** Request fields passed on as they are, beyond the shared sampling ones. */
    passed: readonly string[];
    /** Honoured fields the dialect maps itself (in `extra`). */
    mapped?: readonly string[];
    extra?: (request: ChatRequest) => Record<string, unknown>;
  },
) {
  const honoured = new Set([...BASE_PARAMETERS, ...options.passed, ...(options.mapped ?? [])]);
  return (model: ModelConfig): StreamingChatDialect => {
    const endOfTurn = templateSpec(model.chatTemplate).stop;
    const hidden = new Set(endOfTurn);
    return {
      name,
      honours: honoured,
      usage: 'partial',
      endOfTurn,
      async encodeRequest(request, stream) {
        const honouredRequest = plainGeneration(request, model, name, honoured);
        const parameters: Record<string, unknown> = { details: true, ...sampling(honouredRequest, model) };
        const stop = param<string | string[]>(honouredRequest, model, 'stop');
        if (stop !== undefined) parameters[options.stopKey] = typeof stop === 'string' ? [stop] : stop;
        for (const key of options.passed) {
          const value = param(honouredRequest, model, key);
          if (value !== undefined) parameters[key] = value;
        }
        Object.assign(parameters, options.extra?.(honouredRequest));
        return { inputs: await promptFor(honouredRequest, model), parameters, stream };
      },
      decodeResponse: (body) => decodeGeneratedText(body, model, name),
      createStreamDecoder: () => tokenStreamDecoder(model, name, hidden),
    };
  };
}
