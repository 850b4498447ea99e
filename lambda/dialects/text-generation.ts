import type { ModelConfig } from '../config/config.js';
import { failOnContainerError, malformedEvent, unreadableAnswer } from '../containers/container-errors.js';
import { GatewayError, invalidRequest } from '../core/gateway-error.js';
import type { ChatRequest } from '../openai/chat-request.js';
import { type ChatChoice, type ChatResult, type ChatStreamEvent, normalizeFinishReason, tokenCount } from '../openai/chat-types.js';
import { type CompletionRequest, DEFAULT_COMPLETION_TOKENS } from '../openai/completions-request.js';
import type { AnswerConventions, StreamDecoder, StreamingChatDialect } from './dialect.js';
import { honouredOnly } from './parameters.js';
import { renderPrompt, templateOpensThinking, templateSpec } from './templates/render-prompt.js';
import { toolCallParser } from './tool-calls/index.js';

/**
 * What the prompt-string dialects share (TGI generate, LMI rolling batch, JumpStart): rendering the
 * conversation with the model's chat template (tools included, where the template takes them),
 * mapping OpenAI's sampling parameters, and reading `generated_text` answers and token streams.
 */

/** What every prompt-string container honours (stops are enforced by the gateway itself). */
export const BASE_PARAMETERS = ['max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'stop', 'seed', 'n', 'chat_template_kwargs'];

/** Tool fields, honoured where the model's template renders tools (the gateway reads the calls from the text). */
export const TOOL_PARAMETERS = ['tools', 'tool_choice', 'parallel_tool_calls'];

/** What a dialect of this family honours for a model: its own fields, and tools where the template takes them. */
export function honouredFor(model: ModelConfig, fields: readonly string[]): Set<string> {
  return new Set([...fields, ...(templateSpec(model.chatTemplate).tools ? TOOL_PARAMETERS : [])]);
}

/** A request parameter, or the model's configured default for it. */
export function param<T = unknown>(request: ChatRequest, model: ModelConfig, key: string): T | undefined {
  const value = (request as Record<string, unknown>)[key] ?? model.defaults[key];
  return (value ?? undefined) as T | undefined;
}

type FunctionTool = { type: 'function'; function: { name: string; description?: string; parameters?: Record<string, unknown> } };

/** What a request asks of tools, as a prompt-string container can honour it. */
export interface ToolPlan {
  /** The tools to render (none: no tools in the prompt, no calls read). */
  tools?: FunctionTool[];
  /** The answer must be a call (`required`, or a named tool): only a grammar can make it so. */
  forced: boolean;
}

/**
 * The tools of a request for a prompt-string container: refused (400) where the template renders none,
 * narrowed to the named tool, and `required` or a named tool only where a grammar can force the call
 * (TGI's generate route); otherwise refused, or, with `drop_params`, left to the model's choice.
 */
export function toolPlan(request: ChatRequest, model: ModelConfig, dialect: string, grammar: boolean): ToolPlan {
  const tools = (request.tools ?? []).filter((t) => t.type === 'function') as FunctionTool[];
  const choice = request.tool_choice;
  if (tools.length === 0 || choice === 'none') return { forced: false };
  if (!templateSpec(model.chatTemplate).tools) {
    if (model.dropParams) return { forced: false };
    throw invalidRequest(
      `Model '${model.name}' (${dialect} container) does not support tools: its chat template renders none. Use a template that does (chatml, llama3, mistral, or your model's own).`,
      'tools',
      'unsupported_parameter',
    );
  }
  let chosen = tools;
  let forced = choice === 'required';
  if (typeof choice === 'object' && choice !== null) {
    const name = choice.function.name;
    chosen = tools.filter((t) => t.function.name === name);
    if (chosen.length === 0) throw invalidRequest(`tool_choice names '${name}', which is not in 'tools'.`, 'tool_choice');
    forced = true;
  }
  if (forced && !grammar) {
    if (!model.dropParams) {
      throw invalidRequest(
        `Model '${model.name}' (${dialect} container) cannot be made to call a tool (it has no grammar): use tool_choice 'auto', or set drop_params: true to have the model choose.`,
        'tool_choice',
        'unsupported_parameter',
      );
    }
    forced = false;
  }
  if (request.response_format && request.response_format.type !== 'text') {
    throw invalidRequest(
      `Model '${model.name}' (${dialect} container) cannot constrain its answer to response_format and call tools at once; send one of them.`,
      'response_format',
      'unsupported_parameter',
    );
  }
  return { tools: chosen, forced };
}

export function promptFor(request: ChatRequest, model: ModelConfig, plan?: ToolPlan): Promise<string> {
  return renderPrompt(templateSpec(model.chatTemplate), request.messages, { tools: plan?.tools, kwargs: templateKwargs(request) });
}

function templateKwargs(request: ChatRequest): Record<string, unknown> | undefined {
  const kwargs = (request as { chat_template_kwargs?: unknown }).chat_template_kwargs;
  return typeof kwargs === 'object' && kwargs !== null && !Array.isArray(kwargs) ? (kwargs as Record<string, unknown>) : undefined;
}

/**
 * How the answer carries thinking and calls: the template says whether thinking starts in the prompt
 * (`reasoning: false` turns splitting off); calls are read in the template family's format.
 */
export async function answerConventions(request: ChatRequest, model: ModelConfig, plan: ToolPlan): Promise<AnswerConventions> {
  const spec = templateSpec(model.chatTemplate);
  const thinking = model.reasoning === false ? 'off' : (await templateOpensThinking(spec, templateKwargs(request))) ? 'open' : 'tags';
  const family = spec.tools;
  if (!plan.tools || !family) return { thinking };
  return { thinking, toolCalls: () => toolCallParser(family, plan.forced), singleCall: request.parallel_tool_calls === false };
}

/**
 * The request as a prompt-string container can take it: more choices than it returns, and any
 * parameter outside `honoured`, are refused with a 400 naming them, never silently lost (or dropped,
 * when the model says so). Tools are checked by `toolPlan`.
 */
export function plainGeneration(
  request: ChatRequest,
  model: ModelConfig,
  dialect: string,
  honoured: ReadonlySet<string>,
  maxChoices = 1,
): ChatRequest {
  if ((request.n ?? 1) > maxChoices) {
    throw invalidRequest(
      `Model '${model.name}' (${dialect} container) returns ${maxChoices === 1 ? 'one choice; n must be 1' : `at most ${maxChoices} choices`}.`,
      'n',
      'unsupported_parameter',
    );
  }
  return honouredOnly(request, honoured, model, dialect);
}

/** Legacy completion fields a prompt-string container honours beyond its chat ones (the gateway adds `echo` itself). */
const COMPLETION_FIELDS = ['prompt', 'suffix', 'echo'];

/**
 * A legacy completion request as a prompt-string container can take it: one prompt string, and only
 * the fields it honours (`logprobs`, `best_of` and the like refused unless the model drops them).
 */
export function plainCompletion(
  request: CompletionRequest,
  prompt: string | undefined,
  model: ModelConfig,
  dialect: string,
  honoured: ReadonlySet<string>,
  maxChoices = 1,
): ChatRequest {
  if (prompt === undefined) {
    throw invalidRequest(
      `Model '${model.name}' (${dialect} container) takes one prompt string per request, not several or token ids.`,
      'prompt',
      'unsupported_parameter',
    );
  }
  const { best_of, ...rest } = request;
  // best_of 1 is the default and asks for nothing.
  const asked = best_of === 1 ? rest : request;
  const withCompletionFields = new Set([...honoured, ...COMPLETION_FIELDS].filter((f) => !TOOL_PARAMETERS.includes(f)));
  const sent = plainGeneration(asked as unknown as ChatRequest, model, dialect, withCompletionFields, maxChoices);
  return { ...sent, max_tokens: request.max_tokens ?? (model.defaults.max_tokens as number | undefined) ?? DEFAULT_COMPLETION_TOKENS };
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
 * name of the stop parameter, in the parameters they honour beyond the shared ones, in extra
 * parameters of their own, and in whether a grammar can constrain the answer.
 */
export function generateDialect(
  name: string,
  options: {
    stopKey: 'stop' | 'stop_sequences';
    /** Request fields passed on as they are, beyond the shared sampling ones. */
    passed: readonly string[];
    /** Honoured fields the dialect maps itself (in `extra`). */
    mapped?: readonly string[];
    /** Whether the container takes a JSON grammar (forced tool calls need one). */
    grammar?: boolean;
    extra?: (request: ChatRequest, plan: ToolPlan) => Record<string, unknown>;
  },
) {
  const fields = [...BASE_PARAMETERS, ...options.passed, ...(options.mapped ?? [])];
  return (model: ModelConfig): StreamingChatDialect => {
    const honoured = honouredFor(model, fields);
    const endOfTurn = templateSpec(model.chatTemplate).stop;
    const hidden = new Set(endOfTurn);
    const planFor = (request: ChatRequest) => toolPlan(request, model, name, options.grammar ?? false);
    const parametersFor = (request: ChatRequest, plan: ToolPlan) => {
      const parameters: Record<string, unknown> = { details: true, ...sampling(request, model) };
      const stop = param<string | string[]>(request, model, 'stop');
      if (stop !== undefined) parameters[options.stopKey] = typeof stop === 'string' ? [stop] : stop;
      for (const key of options.passed) {
        const value = param(request, model, key);
        if (value !== undefined) parameters[key] = value;
      }
      return Object.assign(parameters, options.extra?.(request, plan));
    };
    return {
      name,
      honours: honoured,
      usage: 'partial',
      endOfTurn,
      async encodeRequest(request, stream) {
        const plan = planFor(request);
        const sent = plainGeneration(request, model, name, honoured);
        return { inputs: await promptFor(sent, model, plan), parameters: parametersFor(sent, plan), stream };
      },
      encodeCompletion(request, prompt, stream) {
        const sent = plainCompletion(request, prompt, model, name, honoured);
        return { inputs: prompt, parameters: parametersFor(sent, { forced: false }), stream };
      },
      decodeResponse: (body) => decodeGeneratedText(body, model, name),
      createStreamDecoder: () => tokenStreamDecoder(model, name, hidden),
      answerConventions: (request) => answerConventions(request, model, planFor(request)),
    };
  };
}
