import { GatewayError } from '../core/gateway-error.js';
import { log } from '../core/log.js';
import { RefreshingValue } from '../secrets/refreshing-value.js';
import { type SecretReader, secretsManagerReader } from '../secrets/secrets-manager-reader.js';
import { indexKeys, type KeyDocument, type KeyIndex, parseKeyDocument } from './key-document.js';

/**
 * The API keys kept in Secrets Manager, cached for a TTL. Many concurrent requests share one refresh;
 * when Secrets Manager fails, the last good copy is served for a bounded grace period, after which
 * requests fail closed with 503 (never open). During a rotation, keys of both the AWSCURRENT and the
 * AWSPENDING versions are accepted.
 */
export class SecretKeyStore {
  private readonly keys: RefreshingValue<KeyIndex>;

  constructor(
    private readonly secretId: string,
    ttlMs: number,
    graceMs: number,
    private readonly read: SecretReader = secretsManagerReader(),
    /** How fresh a copy must be before an unknown key may trigger another read. */
    private readonly minRefreshMs = 10_000,
  ) {
    this.keys = new RefreshingValue(() => this.load(), {
      ttlMs,
      graceMs,
      retryMs: Math.min(5000, ttlMs),
      onStale: (error) =>
        log.error('key store refresh failed; serving the last good copy', { error: (error as Error).name, detail: (error as Error).message }),
      onFailure: (error) => {
        log.error('key store unavailable', { error: (error as Error).name, detail: (error as Error).message });
        return new GatewayError(503, 'The API key store is unavailable; retry shortly.', { code: 'key_store_unavailable', retryAfter: 5 });
      },
    });
  }

  /** The cached keys, read again once older than the TTL. */
  current(): Promise<KeyIndex> {
    return this.keys.get();
  }

  /**
   * For a key not in the cache: a key created a moment ago should work without waiting for the TTL.
   * At most one read per `minRefreshMs`, so unknown keys cannot drive Secrets Manager calls.
   */
  fresher(): Promise<KeyIndex> {
    return this.keys.get(this.minRefreshMs);
  }

  private async load(): Promise<KeyIndex> {
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
    return indexKeys(documents);
  }
}
