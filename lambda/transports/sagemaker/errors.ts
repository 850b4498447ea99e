import { GatewayError, type GatewayErrorOptions } from '../../core/gateway-error.js';
import { containerMessage, fromContainerStatus } from '../../core/upstream-errors.js';
import { abortReason } from '../abort.js';

interface SdkError {
  name?: string;
  message?: string;
  OriginalStatusCode?: number;
  OriginalMessage?: string;
  ErrorCode?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

/**
 * SageMaker's errors, as a client should see them (the table is in the README):
 * the client learns whether retrying can help and whose fault it was, never a stack trace.
 */
export function fromSageMakerError(error: unknown, model: string, signal: AbortSignal): GatewayError {
  if (error instanceof GatewayError) return error;
  if (signal.aborted) return abortReason(signal);
  const e = (error ?? {}) as SdkError;
  const message = e.message ?? 'unknown error';
  // The SDK's error stays attached as the cause, for the log line of a 5xx.
  const fail = (status: number, text: string, options: GatewayErrorOptions) => new GatewayError(status, text, { ...options, cause: error });
  switch (e.name) {
    case 'ModelError': {
      const original = e.OriginalMessage ? containerMessage(e.OriginalMessage) : message;
      return fromContainerStatus(e.OriginalStatusCode, original, model, error);
    }
    case 'ThrottlingException':
      return fail(429, `SageMaker is throttling requests to model '${model}'; retry shortly.`, { code: 'rate_limit_exceeded', retryAfter: 1 });
    case 'ModelNotReadyException':
      return fail(429, `The endpoint of model '${model}' is not ready (starting or scaling); retry shortly.`, {
        code: 'model_not_ready',
        retryAfter: 5,
      });
    case 'ValidationError':
      // A missing endpoint or inference component is a gateway misconfiguration, not the client's fault.
      return fail(
        502,
        `SageMaker rejected the call for model '${model}' (check its endpoint, region and inference component in the gateway config): ${message}`,
        { code: 'upstream_misconfigured' },
      );
    case 'ServiceUnavailable':
      return fail(503, `SageMaker is unavailable for model '${model}'; retry shortly.`, { code: 'upstream_unavailable', retryAfter: 1 });
    case 'InternalFailure':
    case 'InternalDependencyException':
      return fail(502, `SageMaker failed while serving model '${model}': ${message}`, { code: 'upstream_error' });
    case 'ModelStreamError':
      return e.ErrorCode === 'ModelInvocationTimeExceeded'
        ? fail(504, `Model '${model}' did not finish in SageMaker's time limit: ${message}`, { code: 'upstream_timeout' })
        : fail(502, `The stream from model '${model}' broke: ${message}`, { code: 'upstream_error' });
    case 'InternalStreamFailure':
      return fail(502, `SageMaker's stream for model '${model}' failed: ${message}`, { code: 'upstream_error' });
    case 'AccessDeniedException':
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
    case 'ExpiredTokenException':
    case 'CredentialsProviderError':
      return fail(502, `The gateway is not allowed to invoke the endpoint of model '${model}' (${e.name}).`, { code: 'upstream_misconfigured' });
    case 'TimeoutError':
      return fail(504, `Model '${model}' did not answer in time.`, { code: 'upstream_timeout' });
    default:
      return fail(502, `Could not reach SageMaker for model '${model}' (${e.name ?? e.code ?? 'network error'}).`, { code: 'upstream_error' });
  }
}
