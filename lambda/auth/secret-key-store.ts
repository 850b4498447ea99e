import { GatewayError } from '../http/errors.js';
import { log } from '../log.js';
import { sha256Hex } from './key-hash.js';

/** What the key store secret holds, reduced to what authentication needs. */
export interface KeyDocument {
  masterKeySha256: string[];
}

export type SecretReader = (secretId: string) => Promise<string>;

/**
 * The API keys kept in Secrets Manager, cached for a TTL. Many concurrent requests share one refresh;
 * when Secrets Manager fails, the last good copy is served for a bounded grace period, after which
 * requests fail closed with 503 (never open).
 */
export class SecretKeyStore {
  private cached: { doc: KeyDocument; loadedAt: number } | undefined;
  private refreshing: Promise<KeyDocument> | undefined;
  private retryAt = 0;

  constructor(
    private readonly secretId: string,
    private readonly ttlMs: number,
    private readonly graceMs: number,
    private readonly read: SecretReader = secretsManagerReader(),
  ) {}

  current(): Promise<KeyDocument> {
    const now = Date.now();
    const cached = this.cached;
    if (cached && (now - cached.loadedAt < this.ttlMs || now < this.retryAt)) return Promise.resolve(cached.doc);
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refresh(): Promise<KeyDocument> {
    try {
      const doc = parseKeyDocument(await this.read(this.secretId));
      this.cached = { doc, loadedAt: Date.now() };
      return doc;
    } catch (error) {
      const now = Date.now();
      log.error('key store refresh failed', { error: (error as Error).name, detail: (error as Error).message });
      if (this.cached && now - this.cached.loadedAt < this.ttlMs + this.graceMs) {
        this.retryAt = now + Math.min(5000, this.ttlMs);
        return this.cached.doc;
      }
      throw new GatewayError(503, 'The API key store is unavailable; retry shortly.', { code: 'key_store_unavailable', retryAfter: 5 });
    }
  }
}

/**
 * The secret is JSON. The stack creates it with a generated `master_key`, hashed here on load;
 * `master_key_sha256` stores the hash only (what `keys rotate-master` writes).
 */
export function parseKeyDocument(secretString: string): KeyDocument {
  const raw = JSON.parse(secretString) as Record<string, unknown>;
  const hashes: string[] = [];
  if (typeof raw.master_key === 'string' && raw.master_key.length > 0) hashes.push(sha256Hex(raw.master_key));
  if (typeof raw.master_key_sha256 === 'string' && /^[0-9a-f]{64}$/i.test(raw.master_key_sha256)) hashes.push(raw.master_key_sha256.toLowerCase());
  if (hashes.length === 0) throw new Error('the key store secret has neither master_key nor master_key_sha256');
  return { masterKeySha256: hashes };
}

/**
 * Reads a secret's string through Secrets Manager. The SDK is loaded on first use, so deployments
 * without a key store never pay for it; the client is then kept for the container's life.
 */
export function secretsManagerReader(): SecretReader {
  let client: import('@aws-sdk/client-secrets-manager').SecretsManagerClient | undefined;
  return async (secretId) => {
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    client ??= new SecretsManagerClient({ maxAttempts: 2 });
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (out.SecretString === undefined) throw new Error('the key store secret has no string value');
    return out.SecretString;
  };
}
