import type { GatewayError } from '../../core/gateway-error.js';

/**
 * What the router makes of a failed attempt (LiteLLM's retry and cooldown rules, docs/wire-facts.md §7):
 * - `final`: the client's own mistake, or the client gone, or the gateway's deadline: no retry, no fallback;
 * - `context`: the prompt is too long for the model: only context-window fallbacks can help;
 * - `throttled`: 429: cool the deployment down at once, try another;
 * - `starting`: a component scaling up from zero: cool it down for as long as it says, not counted as broken;
 * - `broken`: the gateway cannot use this deployment (no such endpoint, credentials refused): cool it
 *   down at once, try another, never the same one again;
 * - `failed`: 5xx, timeouts, connection errors: counted toward a cooldown, retried.
 */
export type FailureKind = 'final' | 'context' | 'throttled' | 'starting' | 'broken' | 'failed';

export function failureKind(error: GatewayError): FailureKind {
  if (error.status === 499 || error.code === 'gateway_timeout') return 'final';
  if (error.promptTooLong) return 'context';
  if (error.status === 429) return 'throttled';
  if (error.status === 503 && error.code === 'model_starting') return 'starting';
  if (error.code === 'upstream_misconfigured') return 'broken';
  if (error.status >= 500) return 'failed';
  return 'final';
}

/** Failures after which another group (a fallback) may do better. */
export const fallsBack = (kind: FailureKind): boolean => kind !== 'final' && kind !== 'context';
