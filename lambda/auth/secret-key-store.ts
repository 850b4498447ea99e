import { GatewayError } from '../http/errors.js';
import { log } from '../log.js';
import { indexKeys, parseKeyDocument, type KeyDocument, type KeyIndex } from './key-document.js';

/** A secret's string at a staging label, or undefined when no version has that label. */
export type SecretReader = (secretId: string, stage?: 'AWSCURRENT' | 'AWSPENDING') => Promise<string | undefined>;

/**
 * The API keys kept in Secrets Manager, cached for a TTL. Many concurrent requests share one refresh;
 * when Secrets Manager fails, the last good copy is served for a bounded grace period, after which
 * requests fail closed with 503 (never open). During a rotation, keys of both the AWSCURRENT and the
 * AWSPENDING versions are accepted.
 */
export class SecretKeyStore {
  private cached: { index: KeyIndex; loadedAt: number } | undefined;
  private refreshing: Promise<KeyIndex> | undefined;
  private retryAt = 0;

  constructor(
    private readonly secretId: string,
    private readonly ttlMs: number,
    private readonly graceMs: number,
    private readonly read: SecretReader = secretsManagerReader(),
    /** How fresh a copy must be before an unknown key may trigger another read. */
    private readonly minRefreshMs = 10_000,
  ) {}

  /** The cached keys, read again once older than the TTL (or than `maxAgeMs`). */
  current(maxAgeMs = this.ttlMs): Promise<KeyIndex> {
    const now = Date.now();
    const cached = this.cached;
    if (cached && (now - cached.loadedAt < maxAgeMs || now < this.retryAt)) return Promise.resolve(cached.index);
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /**
   * For a key not in the cache: a key created a moment ago should work without waiting for the TTL.
   * At most one read per `minRefreshMs`, so unknown keys cannot drive Secrets Manager calls.
   */
  fresher(): Promise<KeyIndex> {
    return this.current(this.minRefreshMs);
  }

  private async refresh(): Promise<KeyIndex> {
    try {
      const [current, pending] = await Promise.all([this.read(this.secretId, 'AWSCURRENT'), this.read(this.secretId, 'AWSPENDING')]);
      if (current === undefined) throw new Error('the key store secret has no AWSCURRENT version');
      const documents: KeyDocument[] = [parseKeyDocument(current)];
      if (pending !== undefined) {
        try {
          documents.push(parseKeyDocument(pending));
        } catch (error) {
          // A half-written pending version must not lock everyone out.
          log.warn('ignoring an invalid AWSPENDING key store version', { detail: (error as Error).message });
        }
      }
      const index = indexKeys(documents);
      this.cached = { index, loadedAt: Date.now() };
      return index;
    } catch (error) {
      const now = Date.now();
      log.error('key store refresh failed', { error: (error as Error).name, detail: (error as Error).message });
      if (this.cached && now - this.cached.loadedAt < this.ttlMs + this.graceMs) {
        this.retryAt = now + Math.min(5000, this.ttlMs);
        return this.cached.index;
      }
      throw new GatewayError(503, 'The API key store is unavailable; retry shortly.', { code: 'key_store_unavailable', retryAfter: 5 });
    }
  }
}

/**
 * Reads a secret's string through Secrets Manager. The SDK is loaded on first use, so deployments
 * without a key store never pay for it; the client is then kept for the container's life.
 */
export function secretsManagerReader(): SecretReader {
  let client: import('@aws-sdk/client-secrets-manager').SecretsManagerClient | undefined;
  return async (secretId, stage) => {
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    client ??= new SecretsManagerClient({ maxAttempts: 2 });
    try {
      const out = await client.send(new GetSecretValueCommand({ SecretId: secretId, ...(stage && { VersionStage: stage }) }));
      if (out.SecretString === undefined) throw new Error('the secret has no string value');
      return out.SecretString;
    } catch (error) {
      // No version carries this label (AWSPENDING outside a rotation).
      if (stage === 'AWSPENDING' && (error as Error).name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  };
}
