import type { RouterConfig } from '../../config/config.js';
import { GatewayError } from '../../core/gateway-error.js';
import { fallsBack } from './failure-kinds.js';
import { AttemptsFailed, type ModelGroup, type Routed } from './model-group.js';

export interface RoutedWithFallback<T> extends Routed<T> {
  /** The group that answered, when it is not the one asked for. */
  fallback?: string;
}

/**
 * A call on a model group, and when the group gives up, on its fallback groups in order (LiteLLM's
 * `fallbacks`, `default_fallbacks`, and `context_window_fallbacks` only for a prompt too long), each
 * with its own retries. Fallbacks of a fallback are followed depth-first, a group is never tried twice
 * in one request (no loops), and at most `max_fallbacks` fallback groups are tried.
 *
 * When every group fails, the client gets the last failure's status (429 with Retry-After when every
 * attempt was throttled) in an error naming the group it asked for; one failed attempt is passed on as it is,
 * and when no deployment could even be called (all at their `rpm`/`tpm`), a 429 `rate_limit_exceeded`.
 */
export async function withFallbacks<M, T>(
  groups: ReadonlyMap<string, ModelGroup<M>>,
  router: RouterConfig,
  name: string,
  signal: AbortSignal,
  call: (group: ModelGroup<M>) => Promise<Routed<T>>,
): Promise<RoutedWithFallback<T>> {
  const visited = new Set([name]);
  let attempts = 0;
  let fallbacksTried = 0;
  let allThrottled = true;
  let last: AttemptsFailed | undefined;

  const tryGroup = async (groupName: string): Promise<RoutedWithFallback<T>> => {
    try {
      const routed = await call(groups.get(groupName)!);
      return { ...routed, attempts: attempts + routed.attempts, ...(groupName !== name && { fallback: groupName }) };
    } catch (error) {
      if (!(error instanceof AttemptsFailed)) throw error;
      attempts += error.attempts;
      allThrottled &&= error.allThrottled;
      last = error;
      const targets =
        error.kind === 'context'
          ? (router.contextWindowFallbacks[groupName] ?? [])
          : fallsBack(error.kind)
            ? (router.fallbacks[groupName] ?? router.defaultFallbacks)
            : [];
      for (const target of targets) {
        if (visited.has(target) || !groups.has(target) || fallbacksTried >= router.maxFallbacks || signal.aborted) continue;
        visited.add(target);
        fallbacksTried++;
        try {
          return await tryGroup(target);
        } catch (inner) {
          if (!(inner instanceof AttemptsFailed)) throw inner;
        }
      }
      throw last;
    }
  };

  try {
    return await tryGroup(name);
  } catch (error) {
    if (!(error instanceof AttemptsFailed) || !last) throw error;
    const failure = last.last;
    if (attempts === 0) {
      // Never called: every deployment of the group (and of its fallbacks) is at its rate limit.
      throw new GatewayError(
        429,
        `Rate limit reached for model '${name}': every deployment${fallbacksTried ? ' and fallback' : ''} has used its requests or tokens for this minute.`,
        {
          code: failure.code,
          retryAfter: failure.retryAfter ?? 1,
        },
      );
    }
    if (attempts === 1) throw failure;
    const tried = fallbacksTried ? ` and ${fallbacksTried} fallback model${fallbacksTried > 1 ? 's' : ''}` : '';
    throw new GatewayError(
      allThrottled ? 429 : failure.status,
      `Model '${name}' could not answer: ${attempts} attempts on its deployments${tried} failed; the last: ${failure.message}`,
      {
        type: failure.type,
        param: failure.param,
        code: failure.code,
        retryAfter: allThrottled ? (failure.retryAfter ?? 1) : failure.retryAfter,
        cause: failure,
      },
    );
  }
}
