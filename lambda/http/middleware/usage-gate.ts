import type { MiddlewareHandler } from 'hono';
import { meteredByStream } from '../../pipeline/metering.js';
import type { Usage } from '../../usage/usage.js';
import type { AppEnv } from '../env.js';

/**
 * Budgets and shared limits before a model call (docs/usage-and-budgets.md). Every route that calls
 * a model is admitted here; the pipeline meters its answer through the admission, and a request that
 * ends without an answer frees its place in its budgets.
 */
export function usageGate({ usage }: { usage: Usage }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const admission = await usage.admit(c.get('principal'), c.get('requestId'));
    c.set('usage', admission);
    try {
      await next();
    } finally {
      // A no-op once the answer was metered; a stream still running meters (or frees) it when it ends.
      if (!meteredByStream(admission)) admission.release();
    }
  };
}
