import type { AnswerEvent, AnswerUsage, ChatChoice } from '../openai/chat-types.js';

/** Who answered: the deployment, and the fallback group when the one asked for could not. */
export interface Served {
  /** The deployment's id (a model's own name unless several share it). */
  servedBy: string;
  /** The model group that answered, when it is a fallback of the one asked for. */
  fallback?: string;
  /** Attempts it took, retries and fallbacks included (1 when the first answered). */
  attempts?: number;
}

/** A whole answer, with its usage and who answered. */
export interface Answer extends AnswerUsage, Served {
  choices: ChatChoice[];
}

/** A streamed answer whose first event is already in: its failures can no longer change the HTTP status. */
export interface AnswerStream extends Served {
  /** Deltas, then one final usage event. */
  events: AsyncIterableIterator<AnswerEvent>;
  /** The usage of what has been generated so far (estimated where unreported): a stream cut short is metered with it. */
  usageSoFar(): AnswerUsage;
}

/**
 * A model that answers requests of one API's shape (a chat request, a raw prompt), built once per
 * container. A configured model binds a dialect to a transport; a router is an AnswerModel made of
 * AnswerModels.
 */
export interface AnswerModel<Request> {
  readonly name: string;
  /** Whether usage is the container's own count, known before the first byte (else it is partly estimated). */
  readonly reportsUsage: boolean;
  complete(request: Request, signal: AbortSignal): Promise<Answer>;
  /** Resolves once the first event has arrived, so that a failure before it still gets its own status. */
  stream(request: Request, signal: AbortSignal): Promise<AnswerStream>;
}
