import { randomBytes } from 'node:crypto';
import { RefreshingValue } from '../secrets/refreshing-value.js';
import { type SecretReader, secretsManagerReader } from '../secrets/secrets-manager-reader.js';

/**
 * The key that seals session cookies: the stack's own generated secret (SAGEGATE_CONSOLE_SECRET,
 * never in the template), read once and kept for an hour; without one (a local server), a random key
 * for this process, so its sessions end with it.
 */
export function consoleSecret(secretId: string | undefined, read: SecretReader = secretsManagerReader()): () => Promise<Buffer> {
  if (!secretId) {
    const key = randomBytes(32);
    return async () => key;
  }
  const value = new RefreshingValue(
    async () => {
      const text = await read(secretId, 'AWSCURRENT');
      if (!text || text.length < 32) throw new Error('the console secret is missing or too short');
      return Buffer.from(text, 'utf8');
    },
    {
      ttlMs: 3_600_000,
      graceMs: 3_600_000,
      retryMs: 5000,
      onFailure: () => new Error('the console secret cannot be read'),
    },
  );
  return () => value.get();
}
