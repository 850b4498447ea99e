import { GatewayError } from '../../core/gateway-error.js';
import { RefreshingValue } from '../../secrets/refreshing-value.js';
import { type SecretReader, secretsManagerReader } from '../../secrets/secrets-manager-reader.js';

const TTL_MS = 5 * 60 * 1000;

/**
 * An upstream's API key, read from Secrets Manager (never from the config file) and cached. The
 * secret is the key itself, or JSON with `api_key`. A stale key beats no key while Secrets Manager fails.
 */
export class UpstreamApiKey {
  private readonly key: RefreshingValue<string>;

  constructor(secretId: string, model: string, read: SecretReader = secretsManagerReader()) {
    this.key = new RefreshingValue(
      async () => {
        const raw = ((await read(secretId)) ?? '').trim();
        const key = raw.startsWith('{') ? String((JSON.parse(raw) as { api_key?: unknown }).api_key ?? '') : raw;
        if (!key) throw new Error('the secret holds no api_key');
        return key;
      },
      {
        ttlMs: TTL_MS,
        graceMs: Number.POSITIVE_INFINITY,
        retryMs: 5000,
        onFailure: (error) =>
          new GatewayError(502, `The gateway could not read the API key for model '${model}' (${(error as Error).name}).`, {
            code: 'upstream_misconfigured',
          }),
      },
    );
  }

  get(): Promise<string> {
    return this.key.get();
  }
}
