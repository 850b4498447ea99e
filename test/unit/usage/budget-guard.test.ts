import type { GatewayError } from '../../../lambda/core/gateway-error.js';
import { dayOf } from '../../../lambda/dynamodb/table-layout.js';
import { BudgetGuard, type BudgetScope } from '../../../lambda/usage/budget-guard.js';
import { StoreHealth, type UnavailablePolicy } from '../../../lambda/usage/store-health.js';
import { MemoryUsageStore } from '../../../lambda/usage/usage-store.js';

/**
 * How fresh a process's copy of a budget's spend is when it admits a request: a copy at most
 * `refreshMs` old admits without a read; an older one (an idle container's) is read again first,
 * under the store's failure policy when the store does not answer. The clock is the test's.
 */
const REFRESH_MS = 1000;
/** Daily budgets: one read (one day's Query) per refresh. */
const gatewayScope: BudgetScope = { id: 'gateway', spec: { maxBudget: 1, duration: '1d' } };
const keyScope: BudgetScope = { id: 'key_a', keyId: 'key_a', spec: { maxBudget: 1, duration: '1d' } };
const NOON = Date.parse('2026-06-15T12:00:00Z');

/** The shared table as another process sees it: spend can be added behind this process's back, and reads can be made to fail. */
class SharedStore extends MemoryUsageStore {
  reads = 0;
  failing: Error | undefined;
  /** Reads wait for this when set (a read still running). */
  gate: Promise<void> | undefined;

  constructor(private readonly clock: { now: number }) {
    super();
  }

  override async spend(day: string, keyId?: string): Promise<number> {
    this.reads++;
    if (this.gate) await this.gate;
    if (this.failing) throw this.failing;
    return super.spend(day, keyId);
  }

  /** An answer of another process, written to the table. */
  spendElsewhere(cost: number, keyId = 'key_b'): Promise<void> {
    return this.add({ day: dayOf(this.clock.now), keyId, model: 'm', servedBy: 'm', promptTokens: 0, completionTokens: 0, cost, estimated: false });
  }
}

function setup(policy: UnavailablePolicy = { whenUnavailable: 'fail_open', failOpenMs: 60_000 }) {
  const clock = { now: NOON };
  const store = new SharedStore(clock);
  const guard = new BudgetGuard(store, new StoreHealth(policy), { refreshMs: REFRESH_MS, now: () => clock.now });
  return { store, clock, guard };
}

/** One answered request of this process: admitted, costed, written to the table. */
async function answer(guard: BudgetGuard, store: SharedStore, scope: BudgetScope, cost: number): Promise<void> {
  const hold = await guard.admit(scope);
  const settled = hold.settle(cost);
  await store.spendElsewhere(cost, scope.keyId ?? 'master');
  settled.written();
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => 'admitted',
    (error: GatewayError) => error,
  );

describe('a copy at most budget_refresh_seconds old', () => {
  it('admits without reading the table, however many requests arrive', async () => {
    const { store, clock, guard } = setup();
    await answer(guard, store, gatewayScope, 0.1);
    expect(store.reads).toBe(1);
    for (let i = 0; i < 5; i++) {
      clock.now += REFRESH_MS / 5;
      await answer(guard, store, gatewayScope, 0.01);
    }
    // Five requests, the last exactly refreshMs after the read: no further read.
    expect(store.reads).toBe(1);
  });
});

describe('a copy older than budget_refresh_seconds (an idle container)', () => {
  it.each([
    ['the gateway budget', gatewayScope],
    ["a key's budget", keyScope],
  ])('is read again before admitting: %s spent by another process is refused on the very next request', async (_, scope) => {
    const { store, clock, guard } = setup();
    await answer(guard, store, scope, 0.2);
    // Another process spends the rest while this one is idle.
    await store.spendElsewhere(0.9, scope.keyId);
    clock.now += REFRESH_MS + 1;
    const refused = await refusal(guard.admit(scope));
    expect(refused).toMatchObject({ status: 429, type: 'insufficient_quota', code: 'insufficient_quota' });
    expect((refused as GatewayError).message).toContain('has spent $1.10 of its $1 budget');
    expect(store.reads).toBe(2);
  });

  it('admits after that read when the budget still has room, and the read makes the copy fresh again', async () => {
    const { store, clock, guard } = setup();
    await answer(guard, store, gatewayScope, 0.1);
    await store.spendElsewhere(0.2);
    clock.now += 5 * REFRESH_MS;
    await answer(guard, store, gatewayScope, 0.1);
    expect(store.reads).toBe(2);
    expect(guard.known(gatewayScope)).toBeCloseTo(0.4, 9);
    clock.now += REFRESH_MS / 2;
    await answer(guard, store, gatewayScope, 0.1);
    expect(store.reads).toBe(2);
  });

  it('is read once for requests arriving together', async () => {
    const { store, clock, guard } = setup();
    await answer(guard, store, gatewayScope, 0.1);
    clock.now += 2 * REFRESH_MS;
    let open: () => void = () => undefined;
    store.gate = new Promise((resolve) => {
      open = resolve;
    });
    const admitted = [guard.admit(gatewayScope), guard.admit(gatewayScope), guard.admit(gatewayScope)];
    await new Promise((r) => setImmediate(r));
    store.gate = undefined;
    open();
    for (const hold of await Promise.all(admitted)) hold.release();
    expect(store.reads).toBe(2);
  });

  it('refreshIfStale starts that read without waiting; the admission then waits for the same read', async () => {
    const { store, clock, guard } = setup();
    await answer(guard, store, keyScope, 0.1);
    await store.spendElsewhere(1, keyScope.keyId);
    guard.refreshIfStale(keyScope);
    expect(store.reads).toBe(1); // fresh: nothing to read
    clock.now += 2 * REFRESH_MS;
    guard.refreshIfStale(keyScope);
    expect(store.reads).toBe(2);
    expect(await refusal(guard.admit(keyScope))).toMatchObject({ code: 'insufficient_quota' });
    expect(store.reads).toBe(2);
  });
});

describe('the table failing during that read (usage.when_unavailable)', () => {
  const timeout = Object.assign(new Error('DynamoDB did not answer within 1000 ms'), { name: 'DynamoDbTimeout' });

  it('fail_open: admits on the copy it has, and still refuses a budget that copy knows is spent', async () => {
    const { store, clock, guard } = setup({ whenUnavailable: 'fail_open', failOpenMs: 60_000 });
    await answer(guard, store, gatewayScope, 0.2);
    await answer(guard, store, keyScope, 1.2);
    clock.now += 2 * REFRESH_MS;
    store.failing = timeout;
    const hold = await guard.admit(gatewayScope);
    hold.release();
    expect(await refusal(guard.admit(keyScope))).toMatchObject({ status: 429, code: 'insufficient_quota' });
  });

  it('fail_open past fail_open_seconds, and fail_closed at once: 503 usage_store_unavailable', async () => {
    for (const policy of [
      { whenUnavailable: 'fail_open', failOpenMs: 0 },
      { whenUnavailable: 'fail_closed', failOpenMs: 60_000 },
    ] as const) {
      const { store, clock, guard } = setup(policy);
      await answer(guard, store, gatewayScope, 0.2);
      clock.now += 2 * REFRESH_MS;
      store.failing = timeout;
      expect(await refusal(guard.admit(gatewayScope))).toMatchObject({ status: 503, code: 'usage_store_unavailable', retryAfter: 5 });
    }
  });

  it('a fresh copy admits without the table, whatever the policy', async () => {
    const { store, clock, guard } = setup({ whenUnavailable: 'fail_closed', failOpenMs: 0 });
    await answer(guard, store, gatewayScope, 0.2);
    store.failing = timeout;
    clock.now += REFRESH_MS;
    const hold = await guard.admit(gatewayScope);
    hold.release();
    expect(store.reads).toBe(1);
  });
});
