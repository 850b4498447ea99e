import { randomBytes } from 'node:crypto';
import { openSessionCookie, SESSION_COOKIE, sealSessionId, sessionCookieOf, sessionSetCookie } from '../../../lambda/console/session-cookie.js';
import { MemorySessionStore } from '../../../lambda/console/session-store.js';
import { Sessions } from '../../../lambda/console/sessions.js';

const secret = randomBytes(32);
const MINUTE = 60_000;
const sessions = () => new Sessions(new MemorySessionStore(), async () => secret, { idleMs: 15 * MINUTE, absoluteMs: 60 * MINUTE });

describe('the session cookie', () => {
  it('is HttpOnly, Secure, SameSite=Strict, host-only on / (__Host-), and not persistent', () => {
    const header = sessionSetCookie('abc.def');
    expect(header.startsWith(`${SESSION_COOKIE}=abc.def;`)).toBe(true);
    expect(SESSION_COOKIE.startsWith('__Host-')).toBe(true);
    for (const attribute of ['Path=/', 'Secure', 'HttpOnly', 'SameSite=Strict']) expect(header.split('; ')).toContain(attribute);
    expect(header).not.toMatch(/Max-Age|Expires|Domain/i);
  });

  it('opens only with its own MAC: an altered id, a MAC from another secret, or junk is refused', () => {
    const sealed = sealSessionId('the-id', secret);
    expect(openSessionCookie(sealed, secret)).toBe('the-id');
    expect(openSessionCookie(sealed.replace('the-id', 'the-ie'), secret)).toBeUndefined();
    expect(openSessionCookie(sealSessionId('the-id', randomBytes(32)), secret)).toBeUndefined();
    for (const junk of [undefined, '', 'no-dot', '.mac-only', 'id.', `id.${'A'.repeat(500)}`])
      expect(openSessionCookie(junk, secret)).toBeUndefined();
  });

  it('is found among other cookies', () => {
    expect(sessionCookieOf(`a=1; ${SESSION_COOKIE}=x.y; b=2`)).toBe('x.y');
    expect(sessionCookieOf('a=1')).toBeUndefined();
  });
});

describe('sessions', () => {
  it('give each sign-in a new random id and CSRF token (never one the browser brought)', async () => {
    const s = sessions();
    const one = await s.open('master', 'f');
    const two = await s.open('master', 'f');
    expect(one.cookie).not.toBe(two.cookie);
    expect(one.csrf).not.toBe(two.csrf);
    // 256 bits of id, base64url: 43 characters before the MAC.
    expect(one.cookie.split('.')[0]).toHaveLength(43);
    expect(await s.check(one.cookie)).toMatchObject({ principal: 'master', csrf: one.csrf });
  });

  it('end after the idle timeout without requests, server-side, whatever the cookie says', async () => {
    const s = sessions();
    const t0 = Date.now();
    const { cookie } = await s.open('key_000000000001', 'f', t0);
    expect(await s.check(cookie, t0 + 14 * MINUTE)).toBeDefined();
    // Activity keeps it alive...
    expect(await s.check(cookie, t0 + 28 * MINUTE)).toBeDefined();
    // ...a quarter of an hour without any ends it, for good.
    expect(await s.check(cookie, t0 + 44 * MINUTE)).toBeUndefined();
    expect(await s.check(cookie, t0 + 45 * MINUTE)).toBeUndefined();
  });

  it('end at the absolute timeout however active they are', async () => {
    const s = sessions();
    const t0 = Date.now();
    const { cookie } = await s.open('master', 'f', t0);
    for (let t = t0 + 10 * MINUTE; t < t0 + 60 * MINUTE; t += 10 * MINUTE) expect(await s.check(cookie, t)).toBeDefined();
    expect(await s.check(cookie, t0 + 60 * MINUTE)).toBeUndefined();
  });

  it('end at sign-out, and a forged cookie never reaches the store', async () => {
    const store = new MemorySessionStore();
    let reads = 0;
    const get = store.get.bind(store);
    store.get = (idHash) => {
      reads++;
      return get(idHash);
    };
    const s = new Sessions(store, async () => secret, { idleMs: MINUTE * 15, absoluteMs: MINUTE * 60 });
    const { cookie } = await s.open('master', 'f');
    await s.end(cookie);
    expect(await s.check(cookie)).toBeUndefined();
    reads = 0;
    expect(await s.check(sealSessionId('guessed', randomBytes(32)))).toBeUndefined();
    expect(reads).toBe(0);
  });
});
