import { createHash, timingSafeEqual } from 'node:crypto';

/** Keys are stored and compared as SHA-256 digests; the key itself is never kept. */
export function sha256(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

export const sha256Hex = (key: string): string => sha256(key).toString('hex');

/** Constant-time comparison of a presented key's digest with a stored hex digest. */
export function digestMatches(digest: Buffer, storedHex: string): boolean {
  const stored = Buffer.from(storedHex, 'hex');
  return stored.length === digest.length && timingSafeEqual(stored, digest);
}
