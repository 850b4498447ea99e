import type { ModelConfig } from '../config/config.js';
import { failOnContainerError, malformedEvent, unreadableAnswer } from '../containers/container-errors.js';
import { type ChatChoice, type ChatResult, type ChatStreamEvent, isUsage, normalizeFinishReason } from '../openai/chat-types.js';
import type { AnswerConventions, DialectTarget, StreamDecoder, StreamingChatDialect } from './dialect.js';
import { thinkingOf } from './think-tags.js';
import { toolCallParser } from './tool-calls/index.js';

/**
 * OpenAI chat on `/invocations`: TGI's Messages API, LMI chat, vLLM and SGLang containers all take
 * `messages` and answer `chat.completion` objects or `chat.completion.chunk` streams. Fields are
 * passed through: the container itself refuses what it cannot honour. Answers are normalised above the
 * dialect (`models/answer-normaliser.ts`): tool calls in OpenAI's shape whatever the container sends,
 * thinking split out where the container leaves `<think>` in the text. A body with `prompt` instead of
 * `messages` is a legacy completion, which vLLM's `/invocations` routes to its completions API.
 */
export function openAIChat(model: ModelConfig, target: DialectTarget = {}): StreamingChatDialect {
  return openAIChatDialect(model, target, 'openai-chat');
}

/**
 * TGI's Messages API: OpenAI chat, except that `response_format` takes TGI's own shape,
 * `{"type": "json", "value": <schema>}` (OpenAI's shape does not deserialise there; docs/wire-facts.md §8).
 */
export function tgiChat(model: ModelConfig, target: DialectTarget = {}): StreamingChatDialect {
  return openAIChatDialect(model, target, 'tgi-chat', tgiResponseFormat);
}

function tgiResponseFormat(body: Record<string, unknown>): void {
  const format = body.response_format as { type?: string; json_schema?: { schema?: unknown } } | undefined;
  if (!format) return;
  if (format.type === 'text') delete body.response_format;
  else if (format.type === 'json_object') body.response_format = { type: 'json', value: { type: 'object' } };
  else if (format.type === 'json_schema') body.response_format = { type: 'json', value: format.json_schema?.schema ?? { type: 'object' } };
}

function openAIChatDialect(
  model: ModelConfig,
  { modelField, takesMaxCompletionTokens }: DialectTarget,
  NAME: string,
  adapt?: (body: Record<string, unknown>) => void,
): StreamingChatDialect {
  const thinking = thinkingOf(model);

  /** The request as sent: nulls dropped, defaults filled in, the served name, usage asked for. */
  function encode(request: Record<string, unknown>, stream: boolean): Record<string, unknown> {
    const { model: _asked, stream: _stream, stream_options: _options, ...fields } = request;
    const body: Record<string, unknown> = {};
    // Clients send null for "not set"; some containers reject nulls, so they are dropped.
    for (const key in fields) {
      const value = fields[key];
      if (value !== null && value !== undefined) body[key] = value;
    }
    // TGI and older vLLM know only max_tokens (hosted providers take the newer name, OpenAI's o-series only it).
    if (body.max_completion_tokens !== undefined && !takesMaxCompletionTokens) {
      body.max_tokens ??= body.max_completion_tokens;
      delete body.max_completion_tokens;
    }
    for (const key in model.defaults) body[key] ??= model.defaults[key];
    // Newer vLLM refuses an empty tools array, and a tool_choice without tools.
    if (Array.isArray(body.tools) && body.tools.length === 0) {
      delete body.tools;
      delete body.tool_choice;
      delete body.parallel_tool_calls;
    }
    adapt?.(body);
    // vLLM rejects a model name that is not its served name: send that, or nothing.
    if (modelField !== undefined) body.model = modelField;
    if (stream) {
      body.stream = true;
      // Ask for usage always: the gateway decides whether the client sees it.
      body.stream_options = { include_usage: true };
    }
    return body;
  }

  /** One stream chunk as JSON; a container's error event thrown as such. */
  function parseChunk(payload: string): Record<string, unknown> {
    let chunk: Record<string, unknown> | null;
    try {
      chunk = JSON.parse(payload);
    } catch {
      throw malformedEvent(model.name);
    }
    if (typeof chunk !== 'object' || chunk === null) throw malformedEvent(model.name);
    failOnContainerError(chunk, model.name);
    return chunk;
  }

  function choicesOf(body: unknown): unknown[] {
    failOnContainerError(body, model.name);
    const choices = (body as { choices?: unknown } | null)?.choices;
    if (!Array.isArray(choices)) throw unreadableAnswer(model.name, NAME);
    return choices;
  }

  return {
    name: NAME,
    usage: 'full',

    answerConventions(request): AnswerConventions {
      // A server started without a tool parser (SGLang) returns Hermes-style calls as text.
      const tools = request.tools?.length && request.tool_choice !== 'none';
      return tools ? { thinking, toolCalls: () => toolCallParser('hermes') } : { thinking };
    },

    encodeRequest: (request, stream) => encode(request, stream),

    decodeResponse(body: unknown): ChatResult {
      const choices = choicesOf(body);
      const usage = (body as { usage?: unknown }).usage;
      return {
        choices: choices.map((raw, i): ChatChoice => {
          const c = raw as { index?: number; message?: Record<string, unknown>; finish_reason?: unknown; logprobs?: unknown };
          const message = { ...c.message, role: 'assistant' as const, content: (c.message?.content as string | null | undefined) ?? null };
          return {
            index: c.index ?? i,
            message,
            finish_reason: normalizeFinishReason(c.finish_reason, model.name) ?? 'stop',
            logprobs: c.logprobs ?? null,
          };
        }),
        usage: isUsage(usage) ? usage : undefined,
      };
    },

    createStreamDecoder(): StreamDecoder {
      return {
        decode(payload: string): ChatStreamEvent[] {
          const chunk = parseChunk(payload);
          const events: ChatStreamEvent[] = [];
          const choices = chunk.choices;
          if (Array.isArray(choices)) {
            for (const raw of choices) {
              const c = raw as { index?: number; delta?: Record<string, unknown>; finish_reason?: unknown; logprobs?: unknown };
              events.push({
                type: 'delta',
                index: c.index ?? 0,
                delta: c.delta ?? {},
                finishReason: normalizeFinishReason(c.finish_reason, model.name),
                logprobs: c.logprobs ?? null,
              });
            }
          }
          if (isUsage(chunk.usage)) events.push({ type: 'usage', usage: chunk.usage });
          return events;
        },
      };
    },

    encodeCompletion(request, prompt, stream) {
      // A fill-in-the-middle prompt arrives rendered (its suffix taken out of the request).
      return encode({ ...request, ...(prompt !== undefined && { prompt }) }, stream);
    },

    decodeCompletion(body: unknown): ChatResult {
      const choices = choicesOf(body);
      const usage = (body as { usage?: unknown }).usage;
      return {
        choices: choices.map((raw, i): ChatChoice => {
          const c = raw as { index?: number; text?: unknown; finish_reason?: unknown };
          return {
            index: c.index ?? i,
            message: { role: 'assistant', content: typeof c.text === 'string' ? c.text : '' },
            finish_reason: normalizeFinishReason(c.finish_reason, model.name) ?? 'stop',
          };
        }),
        usage: isUsage(usage) ? usage : undefined,
      };
    },

    createCompletionStreamDecoder(): StreamDecoder {
      return {
        decode(payload: string): ChatStreamEvent[] {
          const chunk = parseChunk(payload);
          const events: ChatStreamEvent[] = [];
          if (Array.isArray(chunk.choices)) {
            for (const raw of chunk.choices) {
              const c = raw as { index?: number; text?: unknown; finish_reason?: unknown };
              const delta = typeof c.text === 'string' ? { content: c.text } : {};
              events.push({ type: 'delta', index: c.index ?? 0, delta, finishReason: normalizeFinishReason(c.finish_reason, model.name) });
            }
          }
          if (isUsage(chunk.usage)) events.push({ type: 'usage', usage: chunk.usage });
          return events;
        },
      };
    },
  };
}
