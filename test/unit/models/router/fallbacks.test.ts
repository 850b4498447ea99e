import type { RouterConfig } from '../../../../lambda/config/config.js';
import { GatewayError } from '../../../../lambda/core/gateway-error.js';
import type { Answer } from '../../../../lambda/models/answer-model.js';
import { withFallbacks } from '../../../../lambda/models/router/fallbacks.js';
import { type DeploymentLimits, ModelGroup } from '../../../../lambda/models/router/model-group.js';
import { failures, type Outcome, randoms, routerConfig, type StubModel, stubModel } from '../../../support/stub-models.js';

/**
 * What the client gets when a model group gives up: its fallback groups' answer (LiteLLM's
 * `fallbacks`, `default_fallbacks`, `context_window_fallbacks`, `max_fallbacks`), or one error
 * naming the model it asked for. Every group here has one deployment, named after the group.
 */

type Groups = Record<string, Outcome[]>;

function setup(groups: Groups, router: Partial<RouterConfig> = {}, limits?: DeploymentLimits) {
  const config = routerConfig(router);
  const models = new Map<string, StubModel>();
  const map = new Map<string, ModelGroup<StubModel>>();
  for (const [name, outcomes] of Object.entries(groups)) {
    const model = stubModel(name, outcomes);
    models.set(name, model);
    map.set(name, new ModelGroup(name, [{ id: name, model, ...(limits && { routing: { rpm: 1 } }) }], config, randoms(0), limits));
  }
  const ask = (name: string, signal = new AbortController().signal) =>
    withFallbacks(map, config, name, signal, (group) =>
      group.call<Answer>(
        signal,
        false,
        (model, s) => model.complete('hi', s),
        (value, end) => {
          end();
          return value;
        },
      ),
    );
  const called = () => [...models].filter(([, m]) => m.calls.length).map(([name]) => name);
  return { ask, called };
}

describe('fallbacks', () => {
  it("answers from the group's fallback and says so, counting every attempt", async () => {
    const { ask } = setup({ big: [failures.server()], small: [] }, { fallbacks: { big: ['small'] } });
    const routed = await ask('big');
    expect(routed).toMatchObject({ servedBy: 'small', fallback: 'small', attempts: 2 });
    expect(routed.value.choices[0]!.message.content).toBe('answer from small');
  });

  it('says nothing of a fallback when the group asked for answers', async () => {
    const { ask, called } = setup({ big: [], small: [] }, { fallbacks: { big: ['small'] } });
    const routed = await ask('big');
    expect(routed).toEqual(expect.objectContaining({ servedBy: 'big', attempts: 1 }));
    expect(routed).not.toHaveProperty('fallback');
    expect(called()).toEqual(['big']);
  });

  it('tries the fallbacks in order, and follows the fallbacks of a fallback', async () => {
    const { ask, called } = setup(
      { a: [failures.server()], b: [failures.server()], c: [failures.server()], d: [] },
      { fallbacks: { a: ['b', 'd'], b: ['c'] } },
    );
    expect(await ask('a')).toMatchObject({ servedBy: 'd', fallback: 'd', attempts: 4 });
    expect(called()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('uses default_fallbacks for a group without its own', async () => {
    const { ask } = setup({ a: [failures.throttled()], spare: [] }, { defaultFallbacks: ['spare'] });
    expect(await ask('a')).toMatchObject({ fallback: 'spare' });
  });

  it('never tries a group twice in one request (no loops)', async () => {
    const { ask, called } = setup({ a: [failures.server()], b: [failures.server()] }, { fallbacks: { a: ['b'], b: ['a'] } });
    await expect(ask('a')).rejects.toMatchObject({ status: 502 });
    expect(called()).toEqual(['a', 'b']);
  });

  it('tries at most max_fallbacks fallback groups', async () => {
    const { ask, called } = setup(
      { a: [failures.server()], b: [failures.server()], c: [failures.server()], d: [] },
      { fallbacks: { a: ['b', 'c', 'd'] }, maxFallbacks: 2 },
    );
    await expect(ask('a')).rejects.toMatchObject({ message: expect.stringContaining('3 attempts on its deployments and 2 fallback models failed') });
    expect(called()).toEqual(['a', 'b', 'c']);
  });

  it("does not fall back on the client's own mistake: the client gets it as it is", async () => {
    const rejected = failures.rejected();
    const { ask, called } = setup({ a: [rejected], b: [] }, { fallbacks: { a: ['b'] }, defaultFallbacks: ['b'] });
    await expect(ask('a')).rejects.toBe(rejected);
    expect(called()).toEqual(['a']);
  });

  it('does not fall back once the client has left', async () => {
    const request = new AbortController();
    const { ask, called } = setup({ a: ['hang'], b: [] }, { fallbacks: { a: ['b'] } });
    const call = ask('a', request.signal);
    request.abort();
    await expect(call).rejects.toMatchObject({ status: 499 });
    expect(called()).toEqual(['a']);
  });
});

describe('context-window fallbacks', () => {
  it('take a prompt too long to a larger model, and only such a prompt', async () => {
    const { ask, called } = setup(
      { short: [failures.tooLong()], long: [], other: [] },
      { contextWindowFallbacks: { short: ['long'] }, fallbacks: { short: ['other'] } },
    );
    expect(await ask('short')).toMatchObject({ servedBy: 'long', fallback: 'long' });
    expect(called()).toEqual(['short', 'long']);
  });

  it('are not used for other failures', async () => {
    const { ask } = setup(
      { short: [failures.server()], long: [], other: [] },
      { contextWindowFallbacks: { short: ['long'] }, fallbacks: { short: ['other'] } },
    );
    expect(await ask('short')).toMatchObject({ fallback: 'other' });
  });

  it('leave a prompt too long with the client as a 400 when there are none', async () => {
    const { ask, called } = setup({ short: [failures.tooLong()], other: [] }, { fallbacks: { short: ['other'] }, defaultFallbacks: ['other'] });
    await expect(ask('short')).rejects.toMatchObject({ status: 400, code: 'model_rejected_request' });
    expect(called()).toEqual(['short']);
  });
});

describe('when every group fails', () => {
  it('the client gets the last failure, in an error naming the model it asked for', async () => {
    const { ask } = setup({ a: [failures.throttled()], b: [failures.server()] }, { fallbacks: { a: ['b'] } });
    const error = (await ask('a').catch((e: unknown) => e)) as GatewayError;
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 502, code: 'upstream_error' });
    expect(error.message).toBe(
      "Model 'a' could not answer: 2 attempts on its deployments and 1 fallback model failed; the last: Model 'm' failed: CUDA error",
    );
  });

  it('is a 429 with Retry-After when every attempt was throttled', async () => {
    const { ask } = setup({ a: [failures.throttled(3)], b: [failures.throttled(7)] }, { fallbacks: { a: ['b'] } });
    await expect(ask('a')).rejects.toMatchObject({ status: 429, code: 'rate_limit_exceeded', retryAfter: 7 });
  });

  it('is a 429 rate_limit_exceeded naming the model when no deployment could be called (all at their rpm)', async () => {
    const limits: DeploymentLimits = { take: async () => ({ allowed: false, limit: 'rpm', retryAfter: 12 }) };
    const { ask, called } = setup({ a: [], b: [] }, { fallbacks: { a: ['b'] } }, limits);
    const error = (await ask('a').catch((e: unknown) => e)) as GatewayError;
    expect(error).toMatchObject({ status: 429, code: 'rate_limit_exceeded', retryAfter: 12 });
    expect(error.message).toBe("Rate limit reached for model 'a': every deployment and fallback has used its requests or tokens for this minute.");
    expect(called()).toEqual([]);
  });
});
