import type { SageMakerModel } from '../../config/config.js';
import { containerError, containerMessage, fromContainerStatus } from '../../containers/container-errors.js';
import { GatewayError } from '../../core/gateway-error.js';
import { fromSageMakerError, isNoCapacity, modelStarting, withoutAccountIds } from '../sagemaker/errors.js';

/**
 * The OpenAI-compatible route's refusals, mapped as the InvokeEndpoint ones are (docs/api-and-errors.md).
 * The route returns the container's own response, errors included, with the container's status;
 * SageMaker's own refusals use OpenAI's error envelope with a string code such as `validation_error`
 * (docs/wire-facts.md §9). A container error quoted inside a `model_error` message is read too. SageMaker's messages name the account: they reach the client without it.
 */
const QUOTED_CONTAINER_ERROR = /^Received (?:client|server) error \((\d{3})\) from \S+ with message "([\s\S]*)"/;

export function fromOpenAIRouteError(
  status: number,
  headers: Record<string, string>,
  text: string,
  model: SageMakerModel,
  signal: AbortSignal,
): GatewayError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const envelope = (body as { error?: { code?: unknown } } | undefined)?.error;
  const code = typeof envelope === 'object' && envelope !== null && typeof envelope.code === 'string' ? envelope.code : undefined;
  const raw = containerError(body)?.message ?? (body as { message?: string; Message?: string } | undefined)?.message ?? text;
  const message = withoutAccountIds(String(raw)).slice(0, 1000);
  const errorType = headers['x-amzn-errortype']?.split(':')[0];
  // What SageMaker said, for the log line of a 5xx (never sent to the client as is).
  const cause = Object.assign(new Error(message), { name: errorType ?? code ?? `HTTP ${status}`, status });
  const name = model.name;

  const quoted = QUOTED_CONTAINER_ERROR.exec(String(raw));
  if (quoted) return fromContainerStatus(Number(quoted[1]), containerMessage(unescapeQuoted(quoted[2]!)), name, cause);
  // SageMaker Runtime's own error shapes, should the route answer with them.
  if (errorType) return fromSageMakerError(Object.assign(cause, { name: errorType, ...(body as object) }), model, signal);
  if (status === 400 && code === 'validation_error' && isNoCapacity(message)) return modelStarting(model, cause);
  switch (status) {
    case 401:
    case 403:
      return new GatewayError(
        502,
        `The gateway is not allowed to call model '${name}' through SageMaker's OpenAI-compatible route (it needs sagemaker:CallWithBearerToken and sagemaker:InvokeEndpoint): ${message}`,
        { code: 'upstream_misconfigured', cause },
      );
    case 404:
      return new GatewayError(
        502,
        `SageMaker has no OpenAI-compatible route for model '${name}' here (check its endpoint, region and inference component, or use route: invocations): ${message}`,
        { code: 'upstream_misconfigured', cause },
      );
    case 429:
      return new GatewayError(429, `SageMaker is throttling requests to model '${name}'; retry shortly.`, {
        code: 'rate_limit_exceeded',
        retryAfter: Number(headers['retry-after']) || 1,
        cause,
      });
    case 503:
      return new GatewayError(503, `SageMaker is unavailable for model '${name}'; retry shortly.`, {
        code: 'upstream_unavailable',
        retryAfter: 1,
        cause,
      });
  }
  if (status === 400 && code === 'validation_error') {
    // SageMaker's own refusal: a missing endpoint or inference component is a gateway misconfiguration,
    // not the client's fault. A container's 400 (vLLM's `{"error":{...,"code":400}}`) comes as it is, below.
    return new GatewayError(
      502,
      `SageMaker rejected the call for model '${name}' (check its endpoint, region and inference component in the gateway config): ${message}`,
      { code: 'upstream_misconfigured', cause },
    );
  }
  // Anything else with a 4xx is the container's refusal of this request; the rest is upstream failure.
  if (status === 424 || code === 'model_error') return fromContainerStatus(undefined, message, name, cause);
  return fromContainerStatus(status, message, name, cause);
}

/** The container's body as SageMaker quotes it: JSON-string-escaped, or as it was. */
function unescapeQuoted(text: string): string {
  try {
    return JSON.parse(`"${text}"`) as string;
  } catch {
    return text;
  }
}
