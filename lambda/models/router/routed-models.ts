import type { RouterConfig } from '../../core/config.js';
import type { AnswerEvent } from '../../openai/chat-types.js';
import type { ChatModel } from '../chat-model.js';
import type { CompletionModel } from '../completion-model.js';
import type { EmbeddingModel } from '../embedding-model.js';
import { withFallbacks } from './fallbacks.js';
import type { ModelGroup } from './model-group.js';

/** A whole answer ends its attempt at once. */
function whole<T>(value: T, end: () => void): T {
  end();
  return value;
}

/** A stream's attempt ends with its last event (or its failure, or the client leaving). */
function untilStreamEnds<S extends { events: AsyncIterableIterator<AnswerEvent> }>(stream: S, end: () => void): S {
  const events = stream.events;
  const tracked: S['events'] = {
    async next() {
      try {
        const result = await events.next();
        if (result.done) end();
        return result;
      } catch (error) {
        end();
        throw error;
      }
    },
    async return(value?: unknown) {
      end();
      return events.return ? events.return(value) : { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return tracked;
    },
  };
  return { ...stream, events: tracked };
}

/**
 * What chat and legacy completions models share: a whole answer or a stream of events for a request.
 * Answers and streams say which deployment served them; the router adds its attempts and fallback.
 */
interface AnsweringModel<Q, A extends object, S extends { events: AsyncIterableIterator<AnswerEvent> }> {
  readonly name: string;
  readonly reportsUsage: boolean;
  complete(request: Q, signal: AbortSignal): Promise<A>;
  stream(request: Q, signal: AbortSignal): Promise<S>;
}

/**
 * A model group as one model: a router is a model made of models. Requests spread over the group's
 * deployments, with retries, cooldowns, timeouts and fallbacks to other groups.
 */
function routedAnsweringModel<Q, A extends object, S extends { events: AsyncIterableIterator<AnswerEvent> }>(
  name: string,
  groups: ReadonlyMap<string, ModelGroup<AnsweringModel<Q, A, S>>>,
  router: RouterConfig,
): AnsweringModel<Q, A, S> {
  return {
    name,
    reportsUsage: groups.get(name)!.members.every((m) => m.model.reportsUsage),
    async complete(request, signal) {
      const routed = await withFallbacks(groups, router, name, signal, (group) =>
        group.call(signal, false, (model, attemptSignal) => model.complete(request, attemptSignal), whole),
      );
      return { ...routed.value, servedBy: routed.servedBy, attempts: routed.attempts, ...(routed.fallback && { fallback: routed.fallback }) };
    },
    async stream(request, signal) {
      const routed = await withFallbacks(groups, router, name, signal, (group) =>
        group.call(signal, true, (model, attemptSignal) => model.stream(request, attemptSignal), untilStreamEnds),
      );
      return { ...routed.value, servedBy: routed.servedBy, attempts: routed.attempts, ...(routed.fallback && { fallback: routed.fallback }) };
    },
  };
}

/** A chat model group as one ChatModel. */
export const routedChatModel = (name: string, groups: ReadonlyMap<string, ModelGroup<ChatModel>>, router: RouterConfig): ChatModel =>
  routedAnsweringModel(name, groups, router);

/** The same for legacy completions, over the deployments of a group that take raw prompts. */
export const routedCompletionModel = (
  name: string,
  groups: ReadonlyMap<string, ModelGroup<CompletionModel>>,
  router: RouterConfig,
): CompletionModel => routedAnsweringModel(name, groups, router);

/** The same for embeddings: a batch of inputs goes to one deployment, retried and failed over as a whole. */
export function routedEmbeddingModel(name: string, groups: ReadonlyMap<string, ModelGroup<EmbeddingModel>>, router: RouterConfig): EmbeddingModel {
  return {
    name,
    async embed(request, signal) {
      const routed = await withFallbacks(groups, router, name, signal, (group) =>
        group.call(signal, false, (model, attemptSignal) => model.embed(request, attemptSignal), whole),
      );
      return { ...routed.value, servedBy: routed.servedBy, attempts: routed.attempts, ...(routed.fallback && { fallback: routed.fallback }) };
    },
  };
}
