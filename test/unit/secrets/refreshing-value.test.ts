import { RefreshingValue } from '../../../lambda/secrets/refreshing-value.js';

/**
 * The cache rules requests rely on while Secrets Manager is slow, failing or hanging: a caller waits
 * a bounded time, never on a read that may never end. Times are short so the test stays quick; the
 * assertions are bounds ("well before the read would end"), not exact timings.
 */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A source whose reads answer, fail or hang as the test says. */
function source() {
  const reads: { resolve: (v: string) => void; reject: (e: Error) => void }[] = [];
  let mode: 'answer' | 'fail' | 'hang' = 'answer';
  let version = 0;
  const load = () =>
    new Promise<string>((resolve, reject) => {
      reads.push({ resolve, reject });
      if (mode === 'answer') resolve(`v${++version}`);
      else if (mode === 'fail') reject(Object.assign(new Error('InternalServiceError'), { name: 'InternalServiceError' }));
    });
  return {
    load,
    reads,
    set: (next: typeof mode) => {
      mode = next;
    },
  };
}

const failures: unknown[] = [];
const options = {
  ttlMs: 40,
  graceMs: 10_000,
  retryMs: 100,
  staleWaitMs: 30,
  loadTimeoutMs: 300,
  onFailure: (error: unknown) => {
    failures.push(error);
    return new Error('unavailable');
  },
};

async function timed<T>(promise: Promise<T>): Promise<{ ms: number; value?: T; error?: Error }> {
  const started = performance.now();
  try {
    const value = await promise;
    return { ms: performance.now() - started, value };
  } catch (error) {
    return { ms: performance.now() - started, error: error as Error };
  }
}

beforeEach(() => {
  failures.length = 0;
});

it('serves the cached copy within its TTL without reading', async () => {
  const s = source();
  const value = new RefreshingValue(s.load, options);
  expect(await value.get()).toBe('v1');
  expect(await value.get()).toBe('v1');
  expect(s.reads).toHaveLength(1);
});

it('past the TTL, a healthy read is waited for (so revocations land within the TTL)', async () => {
  const s = source();
  const value = new RefreshingValue(s.load, options);
  await value.get();
  await sleep(50);
  expect(await value.get()).toBe('v2');
});

it('past the TTL, a hanging read costs the first caller at most staleWaitMs and later callers nothing', async () => {
  const s = source();
  const value = new RefreshingValue(s.load, options);
  await value.get();
  s.set('hang');
  await sleep(50);
  const first = await timed(value.get());
  expect(first.value).toBe('v1');
  expect(first.ms).toBeLessThan(250);
  const later = await timed(value.get());
  expect(later.value).toBe('v1');
  expect(later.ms).toBeLessThan(20);
  expect(s.reads).toHaveLength(2); // one read in flight, shared
});

it('with no copy, a hanging read fails the caller after loadTimeoutMs, once per read', async () => {
  const s = source();
  s.set('hang');
  const value = new RefreshingValue(s.load, options);
  const results = await Promise.all([timed(value.get()), timed(value.get())]);
  for (const r of results) {
    expect(r.error?.message).toBe('unavailable');
    expect(r.ms).toBeGreaterThan(200);
    expect(r.ms).toBeLessThan(1000);
  }
  expect(failures).toHaveLength(1);
  expect(failures[0]).toMatchObject({ name: 'TimeoutError' });
});

it('with no copy, a failed read fails callers at once until retryMs has passed, then reads again', async () => {
  const s = source();
  s.set('fail');
  const value = new RefreshingValue(s.load, options);
  await expect(value.get()).rejects.toThrow('unavailable');
  const fast = await timed(value.get());
  expect(fast.error?.message).toBe('unavailable');
  expect(s.reads).toHaveLength(1);
  s.set('answer');
  await sleep(110);
  expect(await value.get()).toBe('v1');
});

it('abandons a read older than loadTimeoutMs (frozen with a Lambda container) and starts another', async () => {
  const s = source();
  const value = new RefreshingValue(s.load, options);
  await value.get();
  s.set('hang');
  await sleep(50);
  await value.get(); // starts a read that never ends
  await sleep(320);
  s.set('answer');
  expect(await value.get()).toBe('v2');
  expect(s.reads).toHaveLength(3);
  // The abandoned read ending late does not replace the newer value.
  s.reads[1]!.resolve('stale');
  await sleep(5);
  expect(await value.get()).toBe('v2');
});

it('past its grace, a copy is no longer served', async () => {
  const s = source();
  const value = new RefreshingValue(s.load, { ...options, graceMs: 20 });
  await value.get();
  s.set('fail');
  await sleep(70);
  await expect(value.get()).rejects.toThrow('unavailable');
});
