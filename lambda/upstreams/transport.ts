import { GatewayError } from '../core/gateway-error.js';

/**
 * A transport is how bytes reach a model (SageMaker invoke, SageMaker stream, plain HTTPS).
 * It knows nothing of payload formats (see `dialects/`), so any dialect travels over any transport.
 * Failures are thrown as GatewayErrors, their `cause` the underlying error.
 */
export interface Transport {
  /** The largest request body the upstream accepts, and whose limit it is (for the client's 413). */
  readonly bodyLimit?: BodyLimit;
  /** Whether the upstream's completions API takes a `suffix` itself (else the gateway renders it, or refuses). */
  readonly takesSuffix?: boolean;
  /** One request, one whole answer. */
  invoke(body: string, signal: AbortSignal): Promise<Uint8Array>;
  /**
   * Resolves once the upstream has accepted the call (so errors before the first byte still set the
   * HTTP status), then yields the answer's bytes as they arrive, split anywhere.
   */
  invokeStream(body: string, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>>;
}

export interface BodyLimit {
  bytes: number;
  /** Whose limit, as a client should read it: "SageMaker's". */
  owner: string;
}

/** The 413 for a payload the upstream would refuse, saying what the client can do about it. */
export function payloadTooLarge(model: string, size: number, limit: BodyLimit, advice: string): GatewayError {
  return new GatewayError(
    413,
    `The request for model '${model}' would be ${size} bytes, over ${limit.owner} limit of ${limit.bytes} bytes (${advice}).`,
    {
      code: 'request_too_large',
    },
  );
}
