/**
 * A transport is how bytes reach a model (SageMaker invoke, SageMaker stream, plain HTTPS).
 * It knows nothing of payload formats (see `dialects/`). Failures are thrown as GatewayErrors.
 */
export interface Transport {
  /** One request, one whole answer. */
  invoke(body: string, signal: AbortSignal): Promise<Uint8Array>;
  /**
   * Resolves once the upstream has accepted the call (so errors before the first byte still set the
   * HTTP status), then yields the answer's bytes as they arrive, split anywhere.
   */
  invokeStream(body: string, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>>;
}
