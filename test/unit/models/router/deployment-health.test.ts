import { DeploymentHealth } from '../../../../lambda/models/router/deployment-health.js';

/** One container's view of a deployment, as /health/models shows it and the router reads it. */

const T = 1_700_000_000_000;

describe('failures toward a cooldown', () => {
  it('says a deployment has failed too often once it passes allowed_fails within one minute', () => {
    const health = new DeploymentHealth();
    expect(health.fail(T, 2)).toBe(false);
    expect(health.fail(T + 1000, 2)).toBe(false);
    expect(health.fail(T + 2000, 2)).toBe(true);
    expect(health.failuresInLastMinute(T + 2000)).toBe(3);
  });

  it('forgets failures older than a minute', () => {
    const health = new DeploymentHealth();
    health.fail(T, 1);
    expect(health.fail(T + 61_000, 1)).toBe(false);
    expect(health.failuresInLastMinute(T + 61_000)).toBe(1);
    expect(health.failuresInLastMinute(T + 122_000)).toBe(0);
  });
});

describe('cooldown', () => {
  it('skips the deployment for the cooldown, then takes it back', () => {
    const health = new DeploymentHealth();
    expect(health.cooling(T)).toBe(false);
    health.coolDown(T, 5);
    expect(health.cooling(T + 4999)).toBe(true);
    expect(health.coolingFor(T + 1000)).toBe(4);
    expect(health.cooling(T + 5000)).toBe(false);
    expect(health.coolingFor(T + 9000)).toBe(0);
  });

  it('keeps a longer cooldown already running when a shorter one is asked for', () => {
    const health = new DeploymentHealth();
    health.coolDown(T, 30);
    health.coolDown(T + 1000, 5);
    expect(health.cooling(T + 20_000)).toBe(true);
  });
});

describe('rate limits', () => {
  it('marks a deployment at its rpm/tpm until its minute is over', () => {
    const health = new DeploymentHealth();
    health.overLimit(T, 12);
    expect(health.limited(T + 11_000)).toBe(true);
    expect(health.limitedFor(T + 2000)).toBe(10);
    expect(health.limited(T + 12_000)).toBe(false);
    expect(health.cooling(T)).toBe(false);
  });
});

describe('latency', () => {
  it('is unknown before the first answer, then the mean of the last answers kept', () => {
    const health = new DeploymentHealth(2);
    expect(health.latency()).toBeUndefined();
    health.recordLatency(1000);
    health.recordLatency(100);
    health.recordLatency(300);
    expect(health.latency()).toBe(200);
  });
});
