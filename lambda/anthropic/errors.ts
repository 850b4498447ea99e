import type { GatewayError } from '../core/gateway-error.js';

/**
 * The gateway's errors as Anthropic's API gives them (docs/wire-facts.md §13):
 * `{"type":"error","error":{"type","message"},"request_id"}` with Anthropic's status and error type,
 * so that the Anthropic SDKs raise their typed exceptions and retry what can be retried.
 */
export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error';

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: AnthropicErrorType; message: string };
  request_id?: string;
}

/** Overloaded is the model's state, not the caller's limit: Anthropic's 529, which its SDKs retry with backoff. */
const OVERLOADED_CODES = new Set(['model_overloaded', 'model_not_ready', 'model_starting', 'upstream_unavailable']);

/**
 * A throttled model is overloaded (529); a limit of the gateway's own (a key's rpm, a budget, a group's
 * rpm/tpm) is a rate limit (429). Both say `rate_limit_exceeded`; only an upstream's throttle carries
 * the upstream's own error as its cause.
 */
function overloaded(error: GatewayError): boolean {
  if (error.code && OVERLOADED_CODES.has(error.code)) return true;
  return error.status === 429 && error.code === 'rate_limit_exceeded' && error.cause !== undefined;
}

/** Anthropic's status for a gateway error: its own where Anthropic has the same, 529 for an overloaded model. */
export function anthropicStatus(error: GatewayError): number {
  if (overloaded(error)) return 529;
  return error.status;
}

export function anthropicErrorType(error: GatewayError): AnthropicErrorType {
  if (overloaded(error)) return 'overloaded_error';
  switch (error.status) {
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    default:
      // Anthropic uses invalid_request_error for every other 4xx, api_error for its own failures.
      return error.status < 500 ? 'invalid_request_error' : 'api_error';
  }
}

export function anthropicErrorBody(error: GatewayError, requestId?: string): AnthropicErrorBody {
  return { type: 'error', error: { type: anthropicErrorType(error), message: error.message }, ...(requestId && { request_id: requestId }) };
}

/** An error answer: its status, body and headers (`retry-after` where a retry can help). */
export function anthropicErrorResponse(error: GatewayError, requestId?: string): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...error.headers };
  if (requestId) headers['request-id'] = requestId;
  if (error.retryAfter !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfter)));
  return new Response(JSON.stringify(anthropicErrorBody(error, requestId)), { status: anthropicStatus(error), headers });
}
