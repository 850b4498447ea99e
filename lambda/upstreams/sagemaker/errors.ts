import { containerMessage, fromContainerStatus } from '../../containers/container-errors.js';
import { GatewayError, type GatewayErrorOptions } from '../../core/gateway-error.js';
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

/** What a SageMaker error is about: the model's name, and for a cold start its endpoint and inference component. */
export type SageMakerTarget = string | { name: string; endpoint?: string; inferenceComponent?: string };

/**
 * SageMaker's own refusal while an inference component has no copy running (scaled to zero, or
 * scaling out): a 400 ValidationError, on both routes (docs/wire-facts.md §9). Anchored, so a
 * container error that merely quotes the text is not taken for it.
 */
const NO_CAPACITY = /^(?:inference component|endpoint)\b[^.]*\bhas no capacity\b/i;

export const isNoCapacity = (message: string): boolean => NO_CAPACITY.test(message);

/** How long a client should wait before retrying a model that is starting: a copy takes minutes to provision. */
const STARTING_RETRY_AFTER_S = 30;

/**
 * A model whose capacity is being provisioned: 503 with `Retry-After` and the code `model_starting`,
 * which routers read as "cooling down, retry later" (never a bare 502: the deployment is fine).
 */
export function modelStarting(target: SageMakerTarget, cause: unknown): GatewayError {
  const t = typeof target === 'string' ? { name: target } : target;
  const what = t.inferenceComponent
    ? `inference component '${t.inferenceComponent}' has no copy running and is starting`
    : `its endpoint${t.endpoint ? ` '${t.endpoint}'` : ''} is starting`;
  return new GatewayError(
    503,
    `Model '${t.name}' is starting: ${what} (SageMaker is provisioning capacity; this can take several minutes). Retry later.`,
    { code: 'model_starting', retryAfter: STARTING_RETRY_AFTER_S, cause },
  );
}

/** SageMaker's own messages name the account (`Endpoint x of account 123456789012 not found`): never forwarded. */
export const withoutAccountIds = (message: string): string => message.replace(/\b\d{12}\b/g, '<account>');

/**
 * SageMaker's errors, as a client should see them (the table is in the README):
 * the client learns whether retrying can help and whose fault it was, never a stack trace.
 */
export function fromSageMakerError(error: unknown, target: SageMakerTarget, signal: AbortSignal): GatewayError {
  if (error instanceof GatewayError) return error;
  if (signal.aborted) return abortReason(signal);
  const model = typeof target === 'string' ? target : target.name;
  const e = (error ?? {}) as SdkError;
  const message = withoutAccountIds(e.message ?? 'unknown error');
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
      // A serverless variant provisioning or a multi-model endpoint loading its model: a short wait
      // (a component starting from zero says "no capacity" instead: below).
      return fail(429, `The endpoint of model '${model}' is not ready (starting or scaling); retry shortly.`, {
        code: 'model_not_ready',
        retryAfter: 5,
      });
    case 'ValidationError':
      if (isNoCapacity(message)) return modelStarting(target, error);
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
      return fail(502, `The gateway is not allowed to invoke the endpoint of model '${model}' (${e.name}).`, { code: 'upstream_misconfigured' });
    case 'CredentialsProviderError':
      return fail(
        502,
        `The gateway found no AWS credentials to call the endpoint of model '${model}': give it a role (Lambda, ECS task role, EC2 instance profile) or set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.`,
        { code: 'upstream_misconfigured' },
      );
    case 'TimeoutError':
      return fail(504, `Model '${model}' did not answer in time.`, { code: 'upstream_timeout' });
    default:
      return fail(502, `Could not reach SageMaker for model '${model}' (${e.name ?? e.code ?? 'network error'}).`, { code: 'upstream_error' });
  }
}
