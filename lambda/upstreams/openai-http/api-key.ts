import { GatewayError } from '../../core/gateway-error.js';
import { RefreshingValue } from '../../secrets/refreshing-value.js';
import { type SecretReader, secretsManagerReader } from '../../secrets/secrets-manager-reader.js';

const TTL_MS = 5 * 60 * 1000;

/** Secrets Manager errors that say the secret or the gateway's access to it is wrong, not that the service is down. */
const MISCONFIGURED = new Set([
  'ResourceNotFoundException',
  'AccessDeniedException',
  'DecryptionFailure',
  'InvalidRequestException',
  'Error',
  'SyntaxError',
]);

/**
 * An upstream's API key, read from Secrets Manager (never from the config file) and cached. The
 * secret is the key itself, or JSON with `api_key`. A stale key beats no key while Secrets Manager
 * fails or hangs, and a request never waits long on a read (see RefreshingValue): with no key read
 * yet, a hanging or failing Secrets Manager is a 503 within seconds, a wrong secret a 502.
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
        onFailure: (error) => {
          const name = (error as Error | undefined)?.name ?? 'unknown error';
          return MISCONFIGURED.has(name)
            ? new GatewayError(502, `The gateway could not read the API key for model '${model}' (${name}).`, {
                code: 'upstream_misconfigured',
                cause: error,
              })
            : new GatewayError(503, `The gateway could not read the API key for model '${model}' in time (${name}); retry shortly.`, {
                code: 'upstream_unavailable',
                retryAfter: 5,
                cause: error,
              });
        },
      },
    );
  }

  get(): Promise<string> {
    return this.key.get();
  }
}
