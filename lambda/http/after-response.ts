import type { Context } from 'hono';
import { log } from '../core/log.js';

/**
 * Work that finishes after the answer has gone out and still inside the invocation (metering):
 * Hono's `c.executionCtx.waitUntil`, backed by this. The Lambda adapter awaits it (bounded) after the
 * response stream has ended and before the handler returns, since Lambda freezes the container once it
 * returns (docs/wire-facts.md §4); the local server lets it run and awaits it on close.
 */
export class PendingWork {
  private readonly pending = new Set<Promise<unknown>>();

  /** A Hono `ExecutionContext` whose `waitUntil` adds to this. */
  readonly executionContext = {
    waitUntil: (promise: Promise<unknown>) => this.add(promise),
    passThroughOnException: () => undefined,
    props: {},
  };

  add(promise: Promise<unknown>): void {
    const tracked = promise.catch((error) => log.error('work after the response failed', { error: String(error) }));
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  /** Resolves when everything pending (and anything added meanwhile) has settled, or after `limitMs`; true if all settled. */
  async settle(limitMs: number): Promise<boolean> {
    const deadline = Date.now() + limitMs;
    // Work is often added a tick after the body ends (a stream's final event): let it arrive first.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.pending.size) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), left);
      });
      const outcome = await Promise.race([Promise.all([...this.pending]), timeout]);
      clearTimeout(timer);
      if (outcome === 'timeout') return false;
    }
    return true;
  }
}

/** Hands work to the invocation's `waitUntil`; without an execution context (a bare `app.fetch`), it just runs. */
export function afterResponse(c: Context, work: Promise<unknown>): void {
  let ctx: { waitUntil(p: Promise<unknown>): void } | undefined;
  try {
    ctx = c.executionCtx;
  } catch {
    ctx = undefined; // Hono throws when the adapter passed none
  }
  if (ctx) ctx.waitUntil(work);
  else void work;
}
