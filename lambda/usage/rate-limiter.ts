/**
 * Requests per minute per key, counted in this container only (containers share nothing): the cheap
 * first check. With a usage table, the same `rpm` is then held across all containers
 * (`usage/shared-limits.ts`). A sliding window over the current and previous minute smooths the edge
 * between windows.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; current: number; previous: number }>();

  /** Seconds to wait, or 0 when the request may go ahead (and is counted). */
  take(keyId: string, rpm: number, now = Date.now()): number {
    const minute = Math.floor(now / 60_000) * 60_000;
    let w = this.windows.get(keyId);
    if (!w || w.start < minute - 60_000) w = { start: minute, current: 0, previous: 0 };
    else if (w.start < minute) w = { start: minute, current: 0, previous: w.current };
    this.windows.set(keyId, w);
    const elapsed = (now - minute) / 60_000;
    // Over the limit: come back when the window has moved on (at most a minute).
    if (w.previous * (1 - elapsed) + w.current + 1 > rpm) return Math.max(1, Math.ceil((minute + 60_000 - now) / 1000));
    w.current++;
    return 0;
  }
}
