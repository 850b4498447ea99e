import type { Served } from '../models/answer-model.js';

/**
 * Which deployment answered, and which fallback model when the one asked for could not (as LiteLLM's
 * `x-litellm-model-id` and `x-litellm-attempted-fallbacks`); and whether the answer's usage is (partly)
 * estimated, so nobody bills from it unknowingly. The body keeps the model name the client asked for.
 */
export function servedHeaders(served: Served, estimatedUsage = false): Record<string, string> {
  const headers: Record<string, string> = { 'x-sagegate-deployment': served.servedBy };
  if (estimatedUsage) headers['x-sagegate-usage'] = 'estimated';
  if (served.fallback) headers['x-sagegate-fallback'] = served.fallback;
  if (served.attempts && served.attempts > 1) headers['x-sagegate-attempts'] = String(served.attempts);
  return headers;
}
