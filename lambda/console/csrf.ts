import { randomBytes, timingSafeEqual } from 'node:crypto';

/** The header every state-changing console request carries its session's token in. */
export const CSRF_HEADER = 'x-csrf-token';

export function newCsrfToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time: the token's comparison says nothing about how much of it was right. */
export function csrfTokenMatches(presented: string | undefined, expected: string): boolean {
  if (!presented) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Whether a state-changing request comes from the console's own pages: the browser's
 * `Sec-Fetch-Site` says same-origin (when sent), the `Origin` names this origin (when sent), and the
 * body is JSON, which a cross-site form cannot send without a CORS preflight that the gateway never
 * grants. A request without either header is no browser's cross-site request (browsers send at least
 * `Origin` with a cross-site POST), and still needs the session's token.
 */
export function sameOrigin(request: { url: string; headers: Headers }): boolean {
  const site = request.headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin') return false;
  const origin = request.headers.get('origin');
  if (origin !== null && origin !== new URL(request.url).origin && !sameHost(origin, request.headers.get('host'))) return false;
  const type = request.headers.get('content-type') ?? '';
  return /^application\/json(\s*;|$)/i.test(type);
}

/** A front end (CloudFront, a load balancer) that keeps the Host header: the origin names that host. */
function sameHost(origin: string, host: string | null): boolean {
  if (!host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
