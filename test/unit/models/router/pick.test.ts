import type { DeploymentRouting } from '../../../../lambda/config/config.js';
import { DeploymentHealth } from '../../../../lambda/models/router/deployment-health.js';
import { pick } from '../../../../lambda/models/router/pick.js';

/** Which deployment the next request goes to, by strategy, with the random fixed. */

const deployment = (id: string, routing: DeploymentRouting = {}, setup?: (health: DeploymentHealth) => void) => {
  const health = new DeploymentHealth();
  setup?.(health);
  return { id, routing, health };
};
const fixed = (value: number) => () => value;

describe('simple-shuffle', () => {
  it('spreads by weight: a deployment of weight 3 takes the three quarters of the range after one of weight 1', () => {
    const candidates = [deployment('small', { weight: 1 }), deployment('large', { weight: 3 })];
    expect(pick(candidates, 'simple-shuffle', fixed(0)).id).toBe('small');
    expect(pick(candidates, 'simple-shuffle', fixed(0.24)).id).toBe('small');
    expect(pick(candidates, 'simple-shuffle', fixed(0.25)).id).toBe('large');
    expect(pick(candidates, 'simple-shuffle', fixed(0.99)).id).toBe('large');
  });

  it('weighs by rpm when no deployment sets a weight, and a deployment without it then gets nothing', () => {
    const candidates = [deployment('unset'), deployment('a', { rpm: 10 }), deployment('b', { rpm: 30 })];
    expect(pick(candidates, 'simple-shuffle', fixed(0)).id).toBe('a');
    expect(pick(candidates, 'simple-shuffle', fixed(0.5)).id).toBe('b');
    expect([0, 0.2, 0.5, 0.99].map((r) => pick(candidates, 'simple-shuffle', fixed(r)).id)).not.toContain('unset');
  });

  it('prefers weight over rpm, and rpm over tpm', () => {
    const byWeight = [deployment('a', { weight: 1, rpm: 1000 }), deployment('b', { weight: 9, rpm: 1 })];
    expect(pick(byWeight, 'simple-shuffle', fixed(0.5)).id).toBe('b');
    const byRpm = [deployment('a', { rpm: 9, tpm: 1 }), deployment('b', { rpm: 1, tpm: 1000 })];
    expect(pick(byRpm, 'simple-shuffle', fixed(0.5)).id).toBe('a');
    const byTpm = [deployment('a', { tpm: 100 }), deployment('b', { tpm: 300 })];
    expect(pick(byTpm, 'simple-shuffle', fixed(0.5)).id).toBe('b');
  });

  it('spreads evenly without weights, and when every weight is 0', () => {
    const even = [deployment('a'), deployment('b'), deployment('c')];
    expect([0, 0.34, 0.67].map((r) => pick(even, 'simple-shuffle', fixed(r)).id)).toEqual(['a', 'b', 'c']);
    const zero = [deployment('a', { weight: 0 }), deployment('b', { weight: 0 })];
    expect([0.1, 0.6].map((r) => pick(zero, 'simple-shuffle', fixed(r)).id)).toEqual(['a', 'b']);
  });

  it('takes the only candidate without drawing', () => {
    const only = deployment('only');
    expect(
      pick([only], 'simple-shuffle', () => {
        throw new Error('no draw for one candidate');
      }),
    ).toBe(only);
  });
});

describe('least-busy', () => {
  it('sends the request to the deployment with the fewest requests in flight', () => {
    const busy = deployment('busy', {}, (h) => {
      h.inFlight = 3;
    });
    const idle = deployment('idle', {}, (h) => {
      h.inFlight = 1;
    });
    expect(pick([busy, idle], 'least-busy', fixed(0)).id).toBe('idle');
  });

  it('breaks a tie at random among the least busy only', () => {
    const candidates = [
      deployment('a', {}, (h) => {
        h.inFlight = 1;
      }),
      deployment('b'),
      deployment('c'),
    ];
    expect(pick(candidates, 'least-busy', fixed(0)).id).toBe('b');
    expect(pick(candidates, 'least-busy', fixed(0.99)).id).toBe('c');
  });
});

describe('latency-based-routing', () => {
  it('sends the request to the lowest recent latency, and to a deployment not yet measured before any', () => {
    const slow = deployment('slow', {}, (h) => h.recordLatency(900));
    const fast = deployment('fast', {}, (h) => {
      h.recordLatency(100);
      h.recordLatency(300);
    });
    expect(pick([slow, fast], 'latency-based-routing', fixed(0)).id).toBe('fast');
    expect(pick([slow, fast, deployment('new')], 'latency-based-routing', fixed(0)).id).toBe('new');
  });
});
