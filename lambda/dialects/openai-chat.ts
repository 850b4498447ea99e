import type { ModelConfig } from '../core/config.js';
import { failOnContainerError, malformedEvent, unreadableAnswer } from '../core/upstream-errors.js';
import type { ChatRequest } from '../openai/chat-request.js';
import { type ChatChoice, type ChatResult, type ChatStreamEvent, isUsage, normalizeFinishReason } from '../openai/chat-types.js';
import type { StreamDecoder, StreamingChatDialect } from './dialect.js';

const NAME = 'openai-chat';

/**
 * OpenAI chat on `/invocations`: TGI's Messages API, LMI chat, vLLM and SGLang containers all take
 * `messages` and answer `chat.completion` objects or `chat.completion.chunk` streams. Fields are
 * passed through: the container itself refuses what it cannot honour.
 */
export function openAIChat(model: ModelConfig): StreamingChatDialect {
  const hosted = model.provider === 'openai' && model.hosted !== undefined;
  return {
    name: NAME,
    usage: 'full',

    encodeRequest(request: ChatRequest, stream: boolean) {
      const { model: _asked, stream: _stream, stream_options: _options, ...fields } = request;
      const body: Record<string, unknown> = {};
      // Clients send null for "not set"; some containers reject nulls, so they are dropped.
      for (const key in fields) {
        const value = (fields as Record<string, unknown>)[key];
        if (value !== null && value !== undefined) body[key] = value;
      }
      // TGI and older vLLM know only max_tokens (hosted providers take the newer name, OpenAI's o-series only it).
      if (body.max_completion_tokens !== undefined && !hosted) {
        body.max_tokens ??= body.max_completion_tokens;
        delete body.max_completion_tokens;
      }
      for (const key in model.defaults) body[key] ??= model.defaults[key];
      // vLLM rejects a model name that is not its served name: send that, or nothing. SageMaker's
      // OpenAI-compatible route is called as AWS's own samples call it, with "" (docs/wire-facts.md §9).
      if (model.servedModelName) body.model = model.servedModelName;
      else if (model.provider === 'sagemaker' && model.route === 'openai') body.model = '';
      if (stream) {
        body.stream = true;
        // Ask for usage always: the gateway decides whether the client sees it.
        body.stream_options = { include_usage: true };
      }
      return body;
    },

    decodeResponse(body: unknown): ChatResult {
      failOnContainerError(body, model.name);
      const choices = (body as { choices?: unknown } | null)?.choices;
      if (!Array.isArray(choices)) throw unreadableAnswer(model.name, NAME);
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
          let chunk: Record<string, unknown> | null;
          try {
            chunk = JSON.parse(payload);
          } catch {
            throw malformedEvent(model.name);
          }
          if (typeof chunk !== 'object' || chunk === null) throw malformedEvent(model.name);
          failOnContainerError(chunk, model.name);
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
  };
}
