import type { GatewayError } from '../core/gateway-error.js';

/**
 * The chat requests in flight, each by the controller of its upstream work, so that a server shutting
 * down can cut those still running at its deadline with a reason (a stream then ends with an error
 * event carrying it, not a severed connection).
 */
export class InFlight {
  private readonly controllers = new Set<AbortController>();

  /** Tracks a request until the returned function is called (once its answer has ended). */
  track(controller: AbortController): () => void {
    this.controllers.add(controller);
    return () => this.controllers.delete(controller);
  }

  get size(): number {
    return this.controllers.size;
  }

  /** Cuts every request still in flight with `reason`. */
  abortAll(reason: GatewayError): void {
    for (const controller of this.controllers) controller.abort(reason);
  }
}
