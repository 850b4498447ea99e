import { GatewayError } from '../../http/errors.js';
import { secretsManagerReader, type SecretReader } from '../../auth/secret-key-store.js';

const TTL_MS = 5 * 60 * 1000;

/**
 * An upstream's API key, read from Secrets Manager (never from the config file) and cached. The
 * secret is the key itself, or JSON with `api_key`.
 */
export class UpstreamApiKey {
  private cached: { key: string; at: number } | undefined;
  private loading: Promise<string> | undefined;

  constructor(
    private readonly secretId: string,
    private readonly model: string,
    private readonly read: SecretReader = secretsManagerReader(),
  ) {}

  get(): Promise<string> {
    if (this.cached && Date.now() - this.cached.at < TTL_MS) return Promise.resolve(this.cached.key);
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<string> {
    try {
      const raw = ((await this.read(this.secretId)) ?? '').trim();
      const key = raw.startsWith('{') ? String((JSON.parse(raw) as { api_key?: unknown }).api_key ?? '') : raw;
      if (!key) throw new Error('the secret holds no api_key');
      this.cached = { key, at: Date.now() };
      return key;
    } catch (error) {
      // A stale key beats no key while Secrets Manager is failing.
      if (this.cached) return this.cached.key;
      throw new GatewayError(502, `The gateway could not read the API key for model '${this.model}' (${(error as Error).name}).`, { code: 'upstream_misconfigured' });
    }
  }
}
