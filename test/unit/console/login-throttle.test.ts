import { clientAddress, MemoryLoginThrottle, THROTTLE_WINDOW_MS } from '../../../lambda/console/login-throttle.js';

describe('sign-in throttling', () => {
  it('allows the limit of attempts per address in a window, then refuses until the window ends', async () => {
    const throttle = new MemoryLoginThrottle(3);
    const start = Math.floor(Date.now() / THROTTLE_WINDOW_MS) * THROTTLE_WINDOW_MS;
    for (let i = 0; i < 3; i++) expect(await throttle.take('203.0.113.7', start + i)).toEqual({ allowed: true });
    const refused = await throttle.take('203.0.113.7', start + 60_000);
    expect(refused).toEqual({ allowed: false, retryAfter: (THROTTLE_WINDOW_MS - 60_000) / 1000 });
    // Another address has its own count; the next window starts afresh.
    expect(await throttle.take('198.51.100.1', start + 60_000)).toEqual({ allowed: true });
    expect(await throttle.take('203.0.113.7', start + THROTTLE_WINDOW_MS)).toEqual({ allowed: true });
  });

  it('counts attempts taken at once: a burst cannot get past the limit', async () => {
    const throttle = new MemoryLoginThrottle(5);
    const results = await Promise.all(Array.from({ length: 20 }, () => throttle.take('203.0.113.9')));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
  });

  it("keys on the socket's peer on a server of its own, on the last forwarded hop on Lambda, and never on arbitrary text", () => {
    expect(clientAddress('1.1.1.1', '127.0.0.1')).toBe('127.0.0.1');
    expect(clientAddress('6.6.6.6, 203.0.113.7', undefined)).toBe('203.0.113.7');
    expect(clientAddress('2001:db8::1', undefined)).toBe('2001:db8::1');
    expect(clientAddress('x#y', undefined)).toBe('unknown');
    expect(clientAddress(undefined, undefined)).toBe('unknown');
  });
});
