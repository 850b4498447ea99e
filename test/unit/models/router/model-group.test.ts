import { jest } from '@jest/globals';
import type { DeploymentRouting, RouterConfig } from '../../../../lambda/config/config.js';
import type { GatewayError } from '../../../../lambda/core/gateway-error.js';
import type { Answer } from '../../../../lambda/models/answer-model.js';
import { type DeploymentLimits, ModelGroup } from '../../../../lambda/models/router/model-group.js';
import type { LimitDecision } from '../../../../lambda/usage/shared-limits.js';
import { failures, type Outcome, randoms, routerConfig, type StubModel, stubModel } from '../../../support/stub-models.js';

/**
 * One model group's rules within one container: which deployment answers, retries, cooldowns,
 * timeouts and rpm limits. The random is fixed (0 picks the first candidate); time moves only when
 * a test moves the fake clock.
 */

const T = Date.UTC(2030, 0, 1, 12, 0, 0);

interface Setup {
  router?: Partial<RouterConfig>;
  routing?: Record<string, DeploymentRouting>;
  random?: () => number;
  limits?: DeploymentLimits;
}

function groupOf(models: StubModel[], setup: Setup = {}) {
  const deployments = models.map((model) => ({ id: model.name, model, ...(setup.routing?.[model.name] && { routing: setup.routing[model.name] }) }));
  return new ModelGroup('m', deployments, routerConfig(setup.router), setup.random ?? randoms(0), setup.limits);
}

const whole = <T>(value: T, end: () => void): T => {
  end();
  return value;
};

const ask = (group: ModelGroup<StubModel>, signal = new AbortController().signal) =>
  group.call<Answer>(signal, false, (model, attempt) => model.complete('hi', attempt), whole);

const askStream = (group: ModelGroup<StubModel>, signal = new AbortController().signal) =>
  group.call(signal, true, (model, attempt) => model.stream('hi', attempt), whole);

const deployments = (...specs: [string, Outcome[]?][]) => specs.map(([id, outcomes]) => stubModel(id, outcomes));

beforeEach(() => {
  jest.useFakeTimers({ now: T, doNotFake: ['nextTick', 'queueMicrotask'] });
});
afterEach(() => {
  jest.useRealTimers();
});

describe('which deployment answers', () => {
  it('is the one the strategy draws, weighted, with the random given', async () => {
    const [small, large] = deployments(['small'], ['large']);
    const group = groupOf([small!, large!], {
      routing: { small: { weight: 1 }, large: { weight: 3 } },
      random: randoms(0.1, 0.5, 0.9, 0.2),
    });
    const served = [];
    for (let i = 0; i < 4; i++) served.push((await ask(group)).servedBy);
    expect(served).toEqual(['small', 'large', 'large', 'small']);
  });

  it('under least-busy, is the deployment not busy with a stream still running', async () => {
    const [a, b] = deployments(['a'], ['b']);
    const group = groupOf([a!, b!], { router: { strategy: 'least-busy' } });
    const ends: (() => void)[] = [];
    const hold = <T>(value: T, end: () => void) => {
      ends.push(end);
      return value;
    };
    const first = await group.call(new AbortController().signal, true, (model, s) => model.stream('hi', s), hold);
    const second = await group.call(new AbortController().signal, true, (model, s) => model.stream('hi', s), hold);
    expect([first.servedBy, second.servedBy]).toEqual(['a', 'b']);
    ends[0]!();
    expect((await ask(group)).servedBy).toBe('a');
    expect(group.status().map((s) => s.in_flight)).toEqual([0, 1]);
  });
});

describe('retries', () => {
  it('retries a failed request on another deployment at once', async () => {
    const [a, b] = deployments(['a', [failures.server()]], ['b']);
    const routed = await ask(groupOf([a!, b!]));
    expect(routed).toMatchObject({ servedBy: 'b', attempts: 2, value: { choices: [{ message: { content: 'answer from b' } }] } });
  });

  it.each([
    ["the client's mistake", failures.rejected(), 400, 'model_rejected_request'],
    ['a prompt too long', failures.tooLong(), 400, 'model_rejected_request'],
    ['the client leaving', failures.clientGone(), 499, 'client_closed_request'],
  ])('never retries %s', async (_what, error, status, code) => {
    const [a, b] = deployments(['a', [error]], ['b']);
    await expect(ask(groupOf([a!, b!]))).rejects.toMatchObject({ last: { status, code }, attempts: 1 });
    expect(b!.calls).toHaveLength(0);
  });

  it("gives up after LiteLLM's 2 retries in a group of several, with the last failure", async () => {
    const models = deployments(['a', [failures.server()]], ['b', [failures.server()]], ['c', [failures.unavailable()]], ['d']);
    await expect(ask(groupOf(models))).rejects.toMatchObject({ last: { status: 503, code: 'upstream_unavailable' }, attempts: 3 });
    expect(models[3]!.calls).toHaveLength(0);
  });

  it("does not retry a group of one by default (the client's SDK retries)", async () => {
    const [a] = deployments(['a', [failures.server(), 'answer']]);
    await expect(ask(groupOf([a!]))).rejects.toMatchObject({ last: { status: 502 }, attempts: 1 });
  });

  it("takes num_retries from the router, and a deployment's own retries before it", async () => {
    const [a, b, c] = deployments(['a', [failures.server()]], ['b', [failures.server()]], ['c']);
    await expect(ask(groupOf([a!, b!, c!], { router: { numRetries: 0 } }))).rejects.toMatchObject({ attempts: 1 });
    const [d, e] = deployments(['d', [failures.server()]], ['e']);
    const routed = await ask(groupOf([d!, e!], { router: { numRetries: 0 }, routing: { d: { retries: 1 } } }));
    expect(routed).toMatchObject({ servedBy: 'e', attempts: 2 });
  });

  it('does not call a deployment the gateway cannot use twice in one request, whatever the retries', async () => {
    const [a, b] = deployments(['a', [failures.misconfigured()]], ['b', [failures.misconfigured()]]);
    await expect(ask(groupOf([a!, b!], { router: { numRetries: 5 } }))).rejects.toMatchObject({
      last: { status: 502, code: 'upstream_misconfigured' },
      attempts: 2,
    });
    expect([a!.calls.length, b!.calls.length]).toEqual([1, 1]);
  });

  // Bug: once every other deployment has been tried (or is cooling down), the retry may go back to
  // the deployment the gateway cannot use, which fails the request with its 502 although another
  // deployment would answer after its wait. failure-kinds.ts promises "never the same one again".
  it.failing('does not go back to a deployment the gateway cannot use when the others need a wait', async () => {
    const [a, b] = deployments(['a', [failures.misconfigured()]], ['b', [failures.throttled(1), 'answer']]);
    const call = ask(groupOf([a!, b!], { router: { numRetries: 2 } }));
    const outcome = call.catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(1000);
    expect(await outcome).toMatchObject({ servedBy: 'b', attempts: 3 });
    expect(a!.calls).toHaveLength(1);
  });

  it.failing('does not go back to a deployment the gateway cannot use when cooldowns are off', async () => {
    const [a, b] = deployments(['a', [failures.misconfigured()]], ['b', [failures.server(), 'answer']]);
    const call = ask(groupOf([a!, b!], { router: { numRetries: 2, cooldownSeconds: 0 } }));
    const outcome = call.catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(1000);
    expect(await outcome).toMatchObject({ servedBy: 'b', attempts: 3 });
    expect(a!.calls).toHaveLength(1);
  });

  it('waits before retrying the same deployment, at least as long as its Retry-After', async () => {
    const [a] = deployments(['a', [failures.unavailable(2), 'answer']]);
    const call = ask(groupOf([a!], { router: { numRetries: 1, cooldownSeconds: 0 } }));
    await jest.advanceTimersByTimeAsync(1999);
    expect(a!.calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    await expect(call).resolves.toMatchObject({ servedBy: 'a', attempts: 2 });
  });

  it("waits at least the router's retry_after", async () => {
    const [a] = deployments(['a', [failures.server(), 'answer']]);
    const call = ask(groupOf([a!], { router: { numRetries: 1, cooldownSeconds: 0, retryAfterSeconds: 3 } }));
    await jest.advanceTimersByTimeAsync(2999);
    expect(a!.calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    await expect(call).resolves.toMatchObject({ attempts: 2 });
  });

  it('stops waiting to retry when the client leaves, and gives up', async () => {
    const [a] = deployments(['a', [failures.unavailable(30), failures.clientGone()]]);
    const request = new AbortController();
    const call = ask(groupOf([a!], { router: { numRetries: 3 } }), request.signal);
    await jest.advanceTimersByTimeAsync(10);
    request.abort();
    await expect(call).rejects.toMatchObject({ last: { status: 499 }, attempts: 2 });
  });
});

describe('cooldowns', () => {
  it('skips a deployment for cooldown_time once it fails more than allowed_fails times in a minute, then uses it again', async () => {
    const [a, b] = deployments(['a', [failures.server(), failures.server(), 'answer']], ['b']);
    const group = groupOf([a!, b!], { router: { allowedFails: 1, cooldownSeconds: 10 } });
    expect(await ask(group)).toMatchObject({ servedBy: 'b', attempts: 2 });
    expect(await ask(group)).toMatchObject({ servedBy: 'b', attempts: 2 });
    // Now cooling: the random would pick it, but the request goes to the other at once.
    expect(await ask(group)).toMatchObject({ servedBy: 'b', attempts: 1 });
    expect(group.status()[0]).toMatchObject({ deployment: 'a', state: 'cooling_down', cooldown_remaining_seconds: 10, failures_last_minute: 2 });
    jest.setSystemTime(T + 10_000);
    expect(await ask(group)).toMatchObject({ servedBy: 'a', attempts: 1 });
    expect(a!.calls).toHaveLength(3);
  });

  it('does not cool a deployment down for failures up to allowed_fails', async () => {
    const [a, b] = deployments(['a', [failures.server(), failures.server(), 'answer']], ['b']);
    const group = groupOf([a!, b!], { router: { allowedFails: 2, cooldownSeconds: 10 } });
    await ask(group);
    await ask(group);
    expect(await ask(group)).toMatchObject({ servedBy: 'a', attempts: 1 });
  });

  it('cools a throttled deployment down at once, for as long as its Retry-After when that is longer', async () => {
    const [a, b] = deployments(['a', [failures.throttled(30), 'answer']], ['b']);
    const group = groupOf([a!, b!], { router: { allowedFails: 5, cooldownSeconds: 5 } });
    expect(await ask(group)).toMatchObject({ servedBy: 'b', attempts: 2 });
    jest.setSystemTime(T + 29_000);
    expect(await ask(group)).toMatchObject({ servedBy: 'b' });
    jest.setSystemTime(T + 30_000);
    expect(await ask(group)).toMatchObject({ servedBy: 'a' });
  });

  it('skips a starting component for as long as it says, without counting it as failed', async () => {
    const [a, b] = deployments(['a', [failures.starting(20), 'answer']], ['b']);
    const group = groupOf([a!, b!], { router: { cooldownSeconds: 5 } });
    expect(await ask(group)).toMatchObject({ servedBy: 'b', attempts: 2 });
    jest.setSystemTime(T + 19_000);
    expect(await ask(group)).toMatchObject({ servedBy: 'b' });
    expect(group.status()[0]).toMatchObject({ state: 'cooling_down', failures_last_minute: 0 });
    jest.setSystemTime(T + 20_000);
    expect(await ask(group)).toMatchObject({ servedBy: 'a' });
  });

  it("takes a deployment's own cooldown_time over the router's", async () => {
    const [a, b] = deployments(['a', [failures.throttled(1), 'answer']], ['b']);
    const group = groupOf([a!, b!], { router: { cooldownSeconds: 5 }, routing: { a: { cooldownSeconds: 60 } } });
    await ask(group);
    jest.setSystemTime(T + 59_000);
    expect(await ask(group)).toMatchObject({ servedBy: 'b' });
  });

  it('never cools down with cooldown_time 0 (disable_cooldowns)', async () => {
    const [a, b] = deployments(['a', [failures.throttled(30), failures.server(), 'answer']], ['b']);
    const group = groupOf([a!, b!], { router: { allowedFails: 0, cooldownSeconds: 0 } });
    expect(await ask(group)).toMatchObject({ servedBy: 'b' });
    expect(await ask(group)).toMatchObject({ servedBy: 'b' });
    expect(await ask(group)).toMatchObject({ servedBy: 'a' });
    expect(group.status()[0]).toMatchObject({ state: 'available' });
  });

  it('still sends requests when every deployment is cooling down', async () => {
    const [a, b] = deployments(['a', [failures.throttled(30), 'answer']], ['b', [failures.throttled(30)]]);
    const group = groupOf([a!, b!], { router: { numRetries: 1 } });
    await expect(ask(group)).rejects.toMatchObject({ last: { status: 429 }, attempts: 2, allThrottled: true });
    expect(group.status().map((s) => s.state)).toEqual(['cooling_down', 'cooling_down']);
    expect(await ask(group)).toMatchObject({ servedBy: 'a', attempts: 1 });
  });
});

describe('timeouts', () => {
  it('cuts an attempt at timeout with a 504 that names the deployment, and retries it on another', async () => {
    const [a, b] = deployments(['a', ['hang']], ['b']);
    const call = ask(groupOf([a!, b!], { router: { timeoutMs: 1000 } }));
    await jest.advanceTimersByTimeAsync(999);
    expect(b!.calls).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    await expect(call).resolves.toMatchObject({ servedBy: 'b', attempts: 2 });
    expect(a!.signals[0]!.reason).toMatchObject({ status: 504, code: 'upstream_timeout' });
  });

  it('gives the client the timeout, whatever the transport made of the abort', async () => {
    const a = stubModel('a');
    const sdkAbort = Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    a.complete = (_request, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(sdkAbort)));
    const call = ask(groupOf([a], { router: { timeoutMs: 1500 } }));
    const failed = expect(call).rejects.toMatchObject({
      last: { status: 504, code: 'upstream_timeout', message: "Model 'm' (deployment 'a') did not answer within 1.5 s." },
    });
    await jest.advanceTimersByTimeAsync(1500);
    await failed;
  });

  it("takes a deployment's own timeout over the router's", async () => {
    const [a, b] = deployments(['a', ['hang']], ['b']);
    const call = ask(groupOf([a!, b!], { router: { timeoutMs: 60_000 }, routing: { a: { timeoutMs: 200 } } }));
    await jest.advanceTimersByTimeAsync(200);
    await expect(call).resolves.toMatchObject({ servedBy: 'b' });
  });

  it('bounds the first token of a stream by stream_timeout, and not a whole answer', async () => {
    const [a] = deployments(['a', ['hang']]);
    const group = groupOf([a!], { router: { streamTimeoutMs: 500 } });
    const stream = askStream(group);
    const failed = expect(stream).rejects.toMatchObject({
      last: { status: 504, message: "Model 'm' (deployment 'a') did not send its first token within 0.5 s." },
    });
    await jest.advanceTimersByTimeAsync(500);
    await failed;

    const request = new AbortController();
    const whole = ask(group, request.signal);
    const settled = jest.fn();
    whole.then(settled, settled);
    await jest.advanceTimersByTimeAsync(5000);
    expect(settled).not.toHaveBeenCalled();
    request.abort();
    await expect(whole).rejects.toMatchObject({ last: { status: 499 } });
  });

  it('gives up at once when the client leaves during an attempt', async () => {
    const [a, b] = deployments(['a', ['hang']], ['b']);
    const request = new AbortController();
    const call = ask(groupOf([a!, b!], { router: { timeoutMs: 10_000 } }), request.signal);
    await jest.advanceTimersByTimeAsync(10);
    request.abort();
    await expect(call).rejects.toMatchObject({ last: { status: 499, code: 'client_closed_request' }, attempts: 1 });
    expect(b!.calls).toHaveLength(0);
  });
});

describe("deployments' rpm and tpm", () => {
  /** Shared counters that refuse the scopes given (as the usage store does at a minute's limit). */
  const countersRefusing = (refused: Record<string, number>) => {
    const taken: string[] = [];
    const limits: DeploymentLimits = {
      async take(scope): Promise<LimitDecision> {
        taken.push(scope);
        const retryAfter = refused[scope];
        return retryAfter === undefined ? { allowed: true } : { allowed: false, limit: 'rpm', retryAfter };
      },
    };
    return { limits, taken };
  };

  it('sends the request to another deployment when one has used its rpm, and skips it until its minute ends', async () => {
    const [a, b] = deployments(['a'], ['b']);
    const { limits, taken } = countersRefusing({ 'deployment#a': 20 });
    const group = groupOf([a!, b!], { routing: { a: { rpm: 1000 }, b: { rpm: 1 } }, limits });
    expect(await ask(group)).toMatchObject({ servedBy: 'b', attempts: 1 });
    expect(group.status()[0]).toMatchObject({ deployment: 'a', state: 'rate_limited', rpm: 1000, rate_limit_remaining_seconds: 20 });
    expect(await ask(group)).toMatchObject({ servedBy: 'b' });
    expect(a!.calls).toHaveLength(0);
    expect(taken).toEqual(['deployment#a', 'deployment#b', 'deployment#b']);
  });

  it('gives up throttled, without calling any model, when every deployment is at its limit', async () => {
    const [a, b] = deployments(['a'], ['b']);
    const { limits } = countersRefusing({ 'deployment#a': 40, 'deployment#b': 15 });
    const group = groupOf([a!, b!], { routing: { a: { rpm: 1 }, b: { tpm: 100 } }, limits });
    await expect(ask(group)).rejects.toMatchObject({
      last: { status: 429, code: 'rate_limit_exceeded', retryAfter: 15 },
      kind: 'throttled',
      attempts: 0,
    });
    expect([a!.calls.length, b!.calls.length]).toEqual([0, 0]);
  });
});

it('turns anything else a model throws into a 500 without its text', async () => {
  const a = stubModel('a');
  a.complete = () => Promise.reject(new TypeError('secret internals'));
  const failed = await ask(groupOf([a])).catch((error: { last: GatewayError }) => error.last);
  expect(failed).toMatchObject({ status: 500, code: 'internal_error', message: 'The gateway failed to process the request.' });
});
