export interface RefreshingValueOptions {
  /** How long a read is fresh. */
  ttlMs: number;
  /** How long past the TTL a copy may still be served while reads fail or hang. */
  graceMs: number;
  /** After a failed read, how long before the next read may start (the cached copy, or the failure, stands meanwhile). */
  retryMs: number;
  /**
   * How long a caller that could be served a usable copy waits for a refresh, counted from the
   * refresh's start: a healthy read (tens of ms) still lands in time, so a revoked key stops working
   * within the TTL; a hanging one costs the first caller this much and later callers nothing.
   */
  staleWaitMs?: number;
  /** How long a caller with no usable copy waits for a read before it gets `onFailure`; an older read is abandoned. */
  loadTimeoutMs?: number;
  onStale?: (error: unknown) => void;
  /** The error callers get when there is no usable copy (called once per failed read). */
  onFailure: (error: unknown) => Error;
}

/** Thrown into `onFailure` when a read did not finish within `loadTimeoutMs`. */
export class ReadTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

interface Read<T> {
  promise: Promise<T>;
  startedAt: number;
  /** What the source threw. */
  error?: unknown;
  /** Its error as callers get it, made once. */
  failure?: Error;
}

/**
 * A value read from a slow or fallible source (Secrets Manager), cached for a TTL. Concurrent callers
 * share one read; a caller never waits on a read for long (stale-while-revalidate once it is slow):
 * - a fresh copy is served at once;
 * - past the TTL, a read starts and callers wait for it up to `staleWaitMs` from its start, then get
 *   the cached copy while it goes on in the background;
 * - when a read fails, the copy is served for `graceMs` past the TTL, retrying at most every `retryMs`;
 * - with no usable copy, callers wait up to `loadTimeoutMs`, then get `onFailure`.
 *
 * On Lambda a read left in flight when the handler returns is frozen with the container: it is
 * abandoned once older than `loadTimeoutMs` and a new one started, never awaited past its time.
 */
export class RefreshingValue<T> {
  private cached: { value: T; loadedAt: number; startedAt: number } | undefined;
  private reading: Read<T> | undefined;
  private lastFailure: { at: number; read: Read<T> } | undefined;
  private readonly staleWaitMs: number;
  private readonly loadTimeoutMs: number;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly options: RefreshingValueOptions,
  ) {
    this.staleWaitMs = options.staleWaitMs ?? 500;
    this.loadTimeoutMs = options.loadTimeoutMs ?? 3000;
  }

  /** The value, read again once older than the TTL (or than `maxAgeMs`, for an earlier look). */
  get(maxAgeMs = this.options.ttlMs): Promise<T> {
    const now = Date.now();
    const cached = this.cached;
    const failedRecently = this.lastFailure !== undefined && now - this.lastFailure.at < this.options.retryMs;
    const usable = cached && now - cached.loadedAt < this.options.ttlMs + this.options.graceMs ? cached : undefined;
    if (cached && now - cached.loadedAt < maxAgeMs) return Promise.resolve(cached.value);
    if (failedRecently && usable) return Promise.resolve(usable.value);
    // Nothing to serve and the source failed (or timed out) a moment ago: fail fast rather than pile up waiting callers.
    if (failedRecently && !usable) return Promise.reject(this.failureOf(this.lastFailure!.read));

    const read = this.startRead(now);
    if (usable) {
      const fallback = () => usable.value;
      return settleWithin(read.promise, read.startedAt + this.staleWaitMs - now).then((r) => (r.settled ? r.value : fallback()), fallback);
    }
    return settleWithin(read.promise, read.startedAt + this.loadTimeoutMs - now).then(
      (r) => {
        if (r.settled) return r.value;
        read.failure ??= this.options.onFailure(new ReadTimeoutError(`the read did not finish within ${this.loadTimeoutMs} ms`));
        if (!this.lastFailure || this.lastFailure.read !== read) this.lastFailure = { at: Date.now(), read };
        throw read.failure;
      },
      () => {
        throw this.failureOf(read);
      },
    );
  }

  /** The read in flight, or a new one (replacing one so old it must have been frozen or hung). */
  private startRead(now: number): Read<T> {
    if (this.reading && now - this.reading.startedAt < this.loadTimeoutMs) return this.reading;
    const read: Read<T> = { promise: undefined as unknown as Promise<T>, startedAt: now };
    read.promise = this.load().then(
      (value) => {
        // A read abandoned earlier may finish after a newer one: keep the newest.
        if (!this.cached || read.startedAt >= this.cached.startedAt) this.cached = { value, loadedAt: Date.now(), startedAt: read.startedAt };
        this.lastFailure = undefined;
        return value;
      },
      (error: unknown) => {
        const at = Date.now();
        read.error = error;
        this.lastFailure = { at, read };
        if (this.cached && at - this.cached.loadedAt < this.options.ttlMs + this.options.graceMs) this.options.onStale?.(error);
        throw error;
      },
    );
    read.promise.catch(() => undefined); // a background read's failure is handled above
    this.reading = read;
    read.promise
      .finally(() => {
        if (this.reading === read) this.reading = undefined;
      })
      .catch(() => undefined);
    return read;
  }

  private failureOf(read: Read<T>): Error {
    read.failure ??= this.options.onFailure(read.error);
    return read.failure;
  }
}

/** The promise's value if it settles within `ms`, else `{ settled: false }`; its rejection passes through. */
function settleWithin<T>(promise: Promise<T>, ms: number): Promise<{ settled: true; value: T } | { settled: false }> {
  if (ms <= 0) return Promise.resolve({ settled: false });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve({ settled: false }), ms);
    timer.unref?.();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve({ settled: true, value });
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
