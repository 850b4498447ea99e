/**
 * A value read from a slow or fallible source (Secrets Manager), cached for a TTL. Concurrent callers
 * share one read; when a read fails, the last good value is served for a grace period (retrying at
 * most every `retryMs`), after which the failure is the caller's to report.
 */
export class RefreshingValue<T> {
  private cached: { value: T; loadedAt: number } | undefined;
  private loading: Promise<T> | undefined;
  private retryAt = 0;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly options: {
      ttlMs: number;
      graceMs: number;
      retryMs: number;
      onStale?: (error: unknown) => void;
      onFailure: (error: unknown) => Error;
    },
  ) {}

  /** The value, read again once older than the TTL (or than `maxAgeMs`, for an earlier look). */
  get(maxAgeMs = this.options.ttlMs): Promise<T> {
    const now = Date.now();
    const cached = this.cached;
    if (cached && (now - cached.loadedAt < maxAgeMs || now < this.retryAt)) return Promise.resolve(cached.value);
    this.loading ??= this.refresh().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async refresh(): Promise<T> {
    try {
      const value = await this.load();
      this.cached = { value, loadedAt: Date.now() };
      return value;
    } catch (error) {
      const now = Date.now();
      if (this.cached && now - this.cached.loadedAt < this.options.ttlMs + this.options.graceMs) {
        this.options.onStale?.(error);
        this.retryAt = now + this.options.retryMs;
        return this.cached.value;
      }
      throw this.options.onFailure(error);
    }
  }
}
