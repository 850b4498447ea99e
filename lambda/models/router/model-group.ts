import type { DeploymentRouting, RouterConfig } from '../../config/config.js';
import { describeCause, GatewayError, toGatewayError } from '../../core/gateway-error.js';
import { log } from '../../core/log.js';
import type { SharedLimits } from '../../usage/shared-limits.js';
import { DeploymentHealth } from './deployment-health.js';
import { type FailureKind, failureKind } from './failure-kinds.js';
import { pick } from './pick.js';

/** One deployment of a group: its model object, its own routing settings and this container's view of it. */
export interface Member<M> {
  id: string;
  model: M;
  routing: DeploymentRouting;
  health: DeploymentHealth;
  /** Its `rpm`/`tpm`, held across containers by the shared counters of scope `deployment#<id>` (none: unlimited). */
  limit?: { scope: string; rpm?: number; tpm?: number };
}

/** The shared per-minute counters the router holds deployments to (`gateway.usage.limits`). */
export type DeploymentLimits = Pick<SharedLimits, 'take'>;

/** The counter scope of a deployment: metering adds an answer's tokens to `deployment#<servedBy>`. */
export const deploymentScope = (id: string) => `deployment#${id}`;

/** A failure with what the router made of it, so the fallback chain can decide what to do next. */
export class AttemptsFailed extends Error {
  constructor(
    readonly last: GatewayError,
    readonly kind: FailureKind,
    readonly attempts: number,
    readonly allThrottled: boolean,
  ) {
    super(last.message);
  }
}

/** What one call made: the value, the deployment that answered, and how many attempts it took. */
export interface Routed<T> {
  value: T;
  servedBy: string;
  attempts: number;
}

/**
 * Keeps an answer's attempt open until the answer is consumed (a stream's last event), then calls
 * `end`: requests in flight and the whole-request timeout last as long as the answer does.
 */
export type Tracker<T> = (value: T, end: () => void) => T;

const MAX_BACKOFF_MS = 8000;

/**
 * The deployments sharing one model name, and LiteLLM's router rules over them within one container:
 * spread requests by the strategy over deployments not cooling down (all of them when every one is);
 * retry throttling, 5xx, timeouts and connection errors, on another deployment when there is one,
 * with jittered backoff honouring Retry-After; never retry what the client caused; cool a deployment
 * down after more than `allowed_fails` failures in a minute, or at once on a 429; time attempts out.
 */
export class ModelGroup<M> {
  readonly members: Member<M>[];
  /** Whether any deployment has an rpm or tpm to check before it is called (else no check costs anything). */
  private readonly limited: boolean;

  constructor(
    readonly name: string,
    /** `health`: one deployment's state shared by the groups it serves in (chat, completions, embeddings). */
    deployments: { id: string; model: M; routing?: DeploymentRouting; health?: DeploymentHealth }[],
    private readonly router: RouterConfig,
    private readonly random: () => number = Math.random,
    private readonly limits?: DeploymentLimits,
  ) {
    this.members = deployments.map((d) => {
      const routing = d.routing ?? {};
      const member: Member<M> = { id: d.id, model: d.model, routing, health: d.health ?? new DeploymentHealth() };
      if (limits && (routing.rpm !== undefined || routing.tpm !== undefined)) {
        member.limit = {
          scope: deploymentScope(d.id),
          ...(routing.rpm !== undefined && { rpm: routing.rpm }),
          ...(routing.tpm !== undefined && { tpm: routing.tpm }),
        };
      }
      return member;
    });
    this.limited = this.members.some((m) => m.limit);
  }

  /** Retries after a failure of `member`: its own setting, the router's, else LiteLLM's 2 for a group of several (0 for one). */
  private retriesFor(member: Member<M>): number {
    return member.routing.retries ?? this.router.numRetries ?? (this.members.length > 1 ? 2 : 0);
  }

  /**
   * Calls `invoke` on a deployment, and on others as the rules allow, until one answers. `invoke`
   * resolves once an answer is committed (a stream's first event): after that nothing is retried.
   * Throws AttemptsFailed when the group gave up.
   */
  async call<T>(signal: AbortSignal, stream: boolean, invoke: (model: M, signal: AbortSignal) => Promise<T>, track: Tracker<T>): Promise<Routed<T>> {
    const tried = new Set<Member<M>>();
    let allThrottled = true;
    for (let attempt = 1; ; attempt++) {
      const member = this.limited ? await this.chooseUnderLimit(tried, attempt, allThrottled) : this.choose(tried)!;
      tried.add(member);
      try {
        return { value: await this.attempt(member, signal, stream, invoke, track), servedBy: member.id, attempts: attempt };
      } catch (thrown) {
        const error = toGatewayError(thrown);
        const kind = failureKind(error);
        if (kind !== 'throttled') allThrottled = false;
        this.record(member, kind, error);
        const retries = this.retriesFor(member);
        const another = this.available(tried).length > 0;
        const giveUp = kind === 'final' || kind === 'context' || attempt > retries || (kind === 'broken' && !another) || signal.aborted;
        log.warn('model attempt failed', {
          model: this.name,
          deployment: member.id,
          attempt,
          status: error.status,
          code: error.code,
          cause: describeCause(error),
          next: giveUp ? 'give up' : 'retry',
        });
        if (giveUp) throw new AttemptsFailed(error, kind, attempt, allThrottled);
        if (!another) await this.backoff(attempt, error, signal);
      }
    }
  }

  /** Deployments not cooling down, not at their rate limit and not yet tried in this call. */
  private available(tried: ReadonlySet<Member<M>>): Member<M>[] {
    const now = Date.now();
    return this.members.filter((m) => !tried.has(m) && !m.health.cooling(now) && !m.health.limited(now));
  }

  /**
   * A fresh healthy deployment if there is one; else any healthy one; else (all cooling down) any at
   * all, but never one at its rate limit: undefined when every deployment is (only with limits).
   */
  private choose(tried: ReadonlySet<Member<M>>): Member<M> | undefined {
    if (this.members.length === 1) {
      const only = this.members[0]!;
      return this.limited && only.health.limited(Date.now()) ? undefined : only;
    }
    const fresh = this.available(tried);
    if (fresh.length) return pick(fresh, this.router.strategy, this.random);
    const now = Date.now();
    const usable = this.limited ? this.members.filter((m) => !m.health.limited(now)) : this.members;
    if (!usable.length) return undefined;
    const healthy = usable.filter((m) => !m.health.cooling(now));
    return pick(healthy.length ? healthy : usable, this.router.strategy, this.random);
  }

  /**
   * A deployment chosen as `choose` does whose `rpm`/`tpm` allow one more request this minute, counted
   * in the shared counters (one conditional write, only for deployments with limits). A deployment
   * over its limit is skipped like a cooling one until its minute ends (LiteLLM's usage-aware routing);
   * when none is left the group gives up throttled, so fallbacks are tried, and else the client gets
   * 429 `rate_limit_exceeded` with Retry-After.
   */
  private async chooseUnderLimit(tried: ReadonlySet<Member<M>>, attempt: number, allThrottled: boolean): Promise<Member<M>> {
    let retryAfter = 60;
    for (;;) {
      const member = this.choose(tried);
      if (!member) {
        const now = Date.now();
        for (const m of this.members) if (m.health.limited(now)) retryAfter = Math.min(retryAfter, Math.ceil(m.health.limitedFor(now)));
        const error = new GatewayError(
          429,
          `Rate limit reached for model '${this.name}': every deployment has used its requests or tokens for this minute.`,
          { code: 'rate_limit_exceeded', retryAfter: Math.max(1, retryAfter) },
        );
        throw new AttemptsFailed(error, 'throttled', attempt - 1, allThrottled);
      }
      if (!member.limit) return member;
      const decision = await this.limits!.take(member.limit.scope, member.limit);
      if (decision.allowed) return member;
      member.health.overLimit(Date.now(), decision.retryAfter);
      log.warn('deployment at its rate limit', {
        model: this.name,
        deployment: member.id,
        limit: decision.limit,
        [decision.limit]: member.limit[decision.limit],
        retryAfter: decision.retryAfter,
      });
    }
  }

  private record(member: Member<M>, kind: FailureKind, error: GatewayError): void {
    const now = Date.now();
    const cooldown = member.routing.cooldownSeconds ?? this.router.cooldownSeconds;
    if (cooldown === 0) return;
    // The configured cooldown, or longer when the upstream asks for more; a starting component says how long itself.
    if (kind === 'throttled' || kind === 'broken') member.health.coolDown(now, Math.max(cooldown, error.retryAfter ?? 0));
    else if (kind === 'starting') member.health.coolDown(now, error.retryAfter ?? cooldown);
    else if (kind === 'failed' && member.health.fail(now, this.router.allowedFails)) member.health.coolDown(now, cooldown);
  }

  /** Jittered exponential backoff (0.5 s, 1 s, 2 s... up to 8 s), at least Retry-After and the router's `retry_after`. */
  private async backoff(attempt: number, error: GatewayError, signal: AbortSignal): Promise<void> {
    const exponential = Math.min(MAX_BACKOFF_MS, 500 * 2 ** (attempt - 1));
    const floor = Math.max((error.retryAfter ?? 0) * 1000, this.router.retryAfterSeconds * 1000);
    const ms = Math.min(Math.max(exponential, floor), 60_000) + this.random() * 250;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** One attempt on one deployment, timed out as configured and cancelled with the request. */
  private async attempt<T>(
    member: Member<M>,
    signal: AbortSignal,
    stream: boolean,
    invoke: (model: M, signal: AbortSignal) => Promise<T>,
    track: Tracker<T>,
  ): Promise<T> {
    const health = member.health;
    const timeoutMs = member.routing.timeoutMs ?? this.router.timeoutMs;
    const firstTokenMs = stream ? (member.routing.streamTimeoutMs ?? this.router.streamTimeoutMs) : undefined;
    // Only a timed attempt needs its own controller: it is aborted by its timers as well as by the request.
    let controller: AbortController | undefined;
    let whole: ReturnType<typeof setTimeout> | undefined;
    let first: ReturnType<typeof setTimeout> | undefined;
    const cancel = () => controller?.abort(signal.reason);
    if (timeoutMs !== undefined || firstTokenMs !== undefined) {
      controller = new AbortController();
      if (signal.aborted) cancel();
      else signal.addEventListener('abort', cancel, { once: true });
      const timeout = (ms: number, what: string) =>
        setTimeout(() => {
          const message = `Model '${this.name}' (deployment '${member.id}') did not ${what} within ${ms / 1000} s.`;
          controller!.abort(new GatewayError(504, message, { code: 'upstream_timeout' }));
        }, ms);
      if (timeoutMs !== undefined) whole = timeout(timeoutMs, 'answer');
      if (firstTokenMs !== undefined) first = timeout(firstTokenMs, 'send its first token');
    }
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      health.inFlight--;
      if (!controller) return;
      clearTimeout(whole);
      clearTimeout(first);
      signal.removeEventListener('abort', cancel);
    };
    const started = performance.now();
    health.inFlight++;
    try {
      const value = await invoke(member.model, controller?.signal ?? signal);
      clearTimeout(first);
      health.recordLatency(performance.now() - started);
      return track(value, end);
    } catch (error) {
      end();
      // A timed-out attempt fails with the timeout, whatever the transport made of the abort.
      const reason = controller?.signal.aborted ? controller.signal.reason : undefined;
      throw reason instanceof GatewayError ? reason : error;
    }
  }

  /** This container's view of each deployment, for /health/models. */
  status(now = Date.now()) {
    return this.members.map((m) => ({
      deployment: m.id,
      state: m.health.cooling(now) ? 'cooling_down' : m.health.limited(now) ? 'rate_limited' : 'available',
      cooldown_remaining_seconds: Math.ceil(m.health.coolingFor(now)),
      ...(m.limit && {
        ...(m.limit.rpm !== undefined && { rpm: m.limit.rpm }),
        ...(m.limit.tpm !== undefined && { tpm: m.limit.tpm }),
        rate_limit_remaining_seconds: Math.ceil(m.health.limitedFor(now)),
      }),
      failures_last_minute: m.health.failuresInLastMinute(now),
      in_flight: m.health.inFlight,
      ...(m.health.latency() !== undefined && { recent_latency_ms: Math.round(m.health.latency()!) }),
    }));
  }
}
