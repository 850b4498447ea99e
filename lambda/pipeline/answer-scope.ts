import type { Admission } from '../usage/usage.js';
import type { InFlight } from './in-flight.js';

/** One request as the pipeline sees it, whatever carried it (a Function URL, a Node server). */
export interface AnswerScope {
  requestId: string;
  /** The request's admission under its budgets and limits; absent, nothing is metered. */
  admission?: Admission;
  /** Cuts the request's upstream work: the client left, the deadline came, the server shuts down. */
  cancel: AbortController;
  /** Runs work after the answer has gone out, still inside the invocation (a Lambda is frozen once it returns). */
  waitUntil(work: Promise<unknown>): void;
  /** A `: ping` comment after this long without an event in a started stream (0 or absent: none). */
  keepaliveMs?: number;
  /** The requests in flight, for a server that shuts down gracefully. */
  inFlight?: InFlight;
}
