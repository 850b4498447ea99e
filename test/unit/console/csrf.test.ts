import { csrfTokenMatches, newCsrfToken, sameOrigin } from '../../../lambda/console/csrf.js';

const request = (headers: Record<string, string>, url = 'https://gw.example/ui/api/keys') => ({ url, headers: new Headers(headers) });
const JSON_TYPE = { 'content-type': 'application/json' };

describe('CSRF defences', () => {
  it('tokens are long, random, and compared whole', () => {
    const token = newCsrfToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newCsrfToken()).not.toBe(token);
    expect(csrfTokenMatches(token, token)).toBe(true);
    expect(csrfTokenMatches(token.slice(0, -1), token)).toBe(false);
    expect(csrfTokenMatches(`${token.slice(0, -1)}x`, token)).toBe(false);
    expect(csrfTokenMatches(undefined, token)).toBe(false);
    expect(csrfTokenMatches('', token)).toBe(false);
  });

  it("accept the console's own fetches: same origin, JSON", () => {
    expect(sameOrigin(request({ ...JSON_TYPE, 'sec-fetch-site': 'same-origin', origin: 'https://gw.example' }))).toBe(true);
    expect(sameOrigin(request({ 'content-type': 'application/json; charset=utf-8' }))).toBe(true);
    // Behind a front end that keeps the Host header.
    expect(sameOrigin(request({ ...JSON_TYPE, origin: 'https://console.example.org', host: 'console.example.org' }))).toBe(true);
  });

  it('refuse a cross-site form post, another origin, another site, and anything not JSON', () => {
    expect(
      sameOrigin(request({ 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })),
    ).toBe(false);
    expect(sameOrigin(request({ ...JSON_TYPE, origin: 'https://evil.example' }))).toBe(false);
    expect(sameOrigin(request({ ...JSON_TYPE, 'sec-fetch-site': 'same-site' }))).toBe(false);
    expect(sameOrigin(request({ ...JSON_TYPE, 'sec-fetch-site': 'cross-site' }))).toBe(false);
    expect(sameOrigin(request({ 'content-type': 'text/plain' }))).toBe(false);
    expect(sameOrigin(request({}))).toBe(false);
    expect(sameOrigin(request({ ...JSON_TYPE, origin: 'null' }))).toBe(false);
  });
});
