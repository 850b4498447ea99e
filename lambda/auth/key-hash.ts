import { hash, timingSafeEqual } from 'node:crypto';

/**
 * Keys are stored and compared as SHA-256 digests; the key itself is never kept. Node's one-shot
 * digest: `createHash` sets up a hash object per call, which cost a request ~6 µs of its ~20 µs key
 * check (measured in `bench/phases.ts`).
 */
export function sha256(key: string): Buffer {
  return hash('sha256', key, 'buffer');
}

export const sha256Hex = (key: string): string => hash('sha256', key, 'hex');

/** Constant-time comparison of a presented key's digest with a stored one (raw, or as hex). */
export function digestMatches(digest: Buffer, stored: Buffer | string): boolean {
  const bytes = typeof stored === 'string' ? Buffer.from(stored, 'hex') : stored;
  return bytes.length === digest.length && timingSafeEqual(bytes, digest);
}
