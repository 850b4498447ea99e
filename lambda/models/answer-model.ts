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

/** What metering needs of any answer: its usage and who answered. */
export interface MeteredAnswer extends AnswerUsage, Served {}

/** A whole chat answer, with its usage and who answered. */
export interface Answer extends MeteredAnswer {
  choices: ChatChoice[];
}

/** The event that ends every stream: its usage. */
export type UsageEvent = { type: 'usage' } & AnswerUsage;

/** A streamed answer whose first event is already in: its failures can no longer change the HTTP status. */
export interface AnswerStream<Event extends { type: string } = AnswerEvent> extends Served {
  /** The answer's events (chat deltas, or frames relayed as the upstream sent them), then one final usage event. */
  events: AsyncIterableIterator<Event>;
  /** The usage of what has been generated so far (estimated where unreported): a stream cut short is metered with it. */
  usageSoFar(): AnswerUsage;
}

/**
 * A model that answers requests of one API's shape (a chat request, a raw prompt, or an API's own
 * request relayed to an upstream that speaks it), built once per container. A configured model binds a dialect to a transport; a router is an AnswerModel made of
 * AnswerModels.
 */
export interface AnswerModel<Request, Whole extends MeteredAnswer = Answer, Event extends { type: string } = AnswerEvent> {
  readonly name: string;
  /** Whether usage is the container's own count, known before the first byte (else it is partly estimated). */
  readonly reportsUsage: boolean;
  complete(request: Request, signal: AbortSignal): Promise<Whole>;
  /** Resolves once the first event has arrived, so that a failure before it still gets its own status. */
  stream(request: Request, signal: AbortSignal): Promise<AnswerStream<Event>>;
}
