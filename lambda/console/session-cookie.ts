import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The session cookie: a random id (256 bits) and its HMAC under the console's secret. The MAC lets a
 * forged or altered cookie be refused before any store is asked; the id itself is what the store
 * knows the session by (as its SHA-256, so a reader of the table cannot use what it finds there).
 * `__Host-`: Secure, no Domain, Path=/ (the browser refuses it otherwise); a neutral name.
 */
export const SESSION_COOKIE = '__Host-sid';

const b64url = (buffer: Buffer) => buffer.toString('base64url');

export function newSessionId(): string {
  return b64url(randomBytes(32));
}

export function sealSessionId(id: string, secret: Buffer): string {
  return `${id}.${b64url(createHmac('sha256', secret).update(id).digest())}`;
}

/** The session id of a cookie value whose MAC holds (compared in constant time), else undefined. */
export function openSessionCookie(value: string | undefined, secret: Buffer): string | undefined {
  if (!value || value.length > 200) return undefined;
  const dot = value.indexOf('.');
  if (dot < 1) return undefined;
  const id = value.slice(0, dot);
  const mac = Buffer.from(value.slice(dot + 1), 'base64url');
  const expected = createHmac('sha256', secret).update(id).digest();
  return mac.length === expected.length && timingSafeEqual(mac, expected) ? id : undefined;
}

/** Non-persistent (no Max-Age: gone with the browser), HttpOnly, Secure, SameSite=Strict. */
export function sessionSetCookie(sealed: string): string {
  return `${SESSION_COOKIE}=${sealed}; Path=/; Secure; HttpOnly; SameSite=Strict`;
}

export function clearSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0`;
}

/** The session cookie's value in a Cookie header (the first, as browsers send the most specific first). */
export function sessionCookieOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}
