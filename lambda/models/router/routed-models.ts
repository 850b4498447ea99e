import type { RouterConfig } from '../../config/config.js';
import type { AnswerModel, MeteredAnswer } from '../answer-model.js';
import type { EmbeddingModel } from '../embedding-model.js';
import { withFallbacks } from './fallbacks.js';
import type { ModelGroup } from './model-group.js';

/** A whole answer ends its attempt at once. */
function whole<T>(value: T, end: () => void): T {
  end();
  return value;
}

/** A stream's attempt ends with its last event (or its failure, or the client leaving). */
function untilStreamEnds<S extends { events: AsyncIterableIterator<unknown> }>(stream: S, end: () => void): S {
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
 * A model group as one model: a router is a model made of models. Requests spread over the group's
 * deployments, with retries, cooldowns, timeouts and fallbacks to other groups; answers and streams
 * say which deployment served them, after how many attempts, and the fallback group if one answered.
 */
export function routedAnswerModel<Request, Whole extends MeteredAnswer, Event extends { type: string }>(
  name: string,
  groups: ReadonlyMap<string, ModelGroup<AnswerModel<Request, Whole, Event>>>,
  router: RouterConfig,
): AnswerModel<Request, Whole, Event> {
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
