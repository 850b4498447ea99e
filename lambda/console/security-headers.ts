/**
 * Headers on every console answer. The policy allows this origin's own script and styles only: no
 * inline script or style, no other origin, no plugins, no framing, no forms posting elsewhere.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  'strict-transport-security': 'max-age=31536000',
};

/** Data (and anything holding a session or a key) is never stored by a browser or a cache. */
export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

/** Assets are named by their content's hash: cached for good. */
export const IMMUTABLE = { 'cache-control': 'public, max-age=31536000, immutable' };
