import type { GatewayError } from '../core/gateway-error.js';

/** An OpenAI-shaped error answer, with `Retry-After` when a retry can help. */
export function errorResponse(error: GatewayError, headers: Record<string, string> = {}): Response {
  const all: Record<string, string> = { 'content-type': 'application/json', ...error.headers, ...headers };
  if (error.retryAfter !== undefined) all['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfter)));
  return new Response(JSON.stringify(error.toJSON()), { status: error.status, headers: all });
}
