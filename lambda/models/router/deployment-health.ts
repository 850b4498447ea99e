/**
 * What one container knows of a deployment's recent behaviour: requests in flight, failures in the
 * last minute, whether it is cooling down, and its recent times to the first token. Per container on
 * purpose: it decides where this container sends its next request, and needs no shared store.
 */
export class DeploymentHealth {
  inFlight = 0;
  private failures: number[] = [];
  private coolingUntil = 0;
  /** Until when its `rpm`/`tpm` is used up (the end of the UTC minute the shared counter said so). */
  private limitedUntil = 0;
  /** The last few times to the first token (a whole answer's time for non-streaming calls), in ms. */
  private readonly latencies: number[] = [];

  constructor(private readonly keepLatencies = 10) {}

  cooling(now: number): boolean {
    return now < this.coolingUntil;
  }

  /** Seconds until the cooldown ends (0 when not cooling). */
  coolingFor(now: number): number {
    return Math.max(0, (this.coolingUntil - now) / 1000);
  }

  /** Skip this deployment for `seconds` from now (a longer cooldown already running is kept). */
  coolDown(now: number, seconds: number): void {
    this.coolingUntil = Math.max(this.coolingUntil, now + seconds * 1000);
  }

  /** Whether the deployment's requests or tokens per minute are used up (known from the shared counters). */
  limited(now: number): boolean {
    return now < this.limitedUntil;
  }

  /** Seconds until the deployment's minute is over (0 when not limited). */
  limitedFor(now: number): number {
    return Math.max(0, (this.limitedUntil - now) / 1000);
  }

  /**
   * Skip this deployment for `seconds`: its limit for this fixed minute is reached, and nothing
   * frees it before the minute ends, so this container does not ask the shared counter again until then.
   */
  overLimit(now: number, seconds: number): void {
    this.limitedUntil = Math.max(this.limitedUntil, now + seconds * 1000);
  }

  /** Counts a failure; true when it makes more than `allowed` in the last minute. */
  fail(now: number, allowed: number): boolean {
    const since = now - 60_000;
    this.failures = this.failures.filter((at) => at > since);
    this.failures.push(now);
    return this.failures.length > allowed;
  }

  failuresInLastMinute(now: number): number {
    const since = now - 60_000;
    return this.failures.filter((at) => at > since).length;
  }

  recordLatency(ms: number): void {
    this.latencies.push(ms);
    if (this.latencies.length > this.keepLatencies) this.latencies.shift();
  }

  /** The mean of the recent latencies, or undefined before the first answer. */
  latency(): number | undefined {
    if (this.latencies.length === 0) return undefined;
    return this.latencies.reduce((a, b) => a + b, 0) / this.latencies.length;
  }
}
