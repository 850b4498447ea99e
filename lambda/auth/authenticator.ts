import type { AuthConfig } from '../config/config.js';
import { GatewayError } from '../core/gateway-error.js';
import type { BudgetSpec } from '../usage/budget-period.js';
import { digestMatches, sha256 } from './key-hash.js';
import { SecretKeyStore } from './secret-key-store.js';

/** Who is calling, which models they may use (undefined: all), and the key's own limits. */
export interface Principal {
  keyId: string;
  models?: ReadonlySet<string>;
  rpm?: number;
  tpm?: number;
  budget?: BudgetSpec;
}

export interface Authenticator {
  readonly enabled: boolean;
  authenticate(key: string | undefined): Promise<Principal>;
  /** Loads the key store ahead of the first request (Lambda's init phase runs at full CPU). */
  warm(): void;
}

const MASTER: Principal = { keyId: 'master' };
const ANONYMOUS: Principal = { keyId: 'anonymous' };
const GRACE_MS = 15 * 60 * 1000;

export const invalidApiKey = (message: string) => new GatewayError(401, message, { type: 'authentication_error', code: 'invalid_api_key' });

/**
 * Checks a presented key: the config's master key, or the key store's master key and per-key
 * records (scopes, expiry, revocation, rate). Keys are compared as SHA-256 digests; records are
 * found by digest and the match confirmed in constant time. Keys and digests are never logged.
 */
export function createAuthenticator(auth: AuthConfig, store?: SecretKeyStore): Authenticator {
  const keyStore = store ?? (auth.keysSecret ? new SecretKeyStore(auth.keysSecret, auth.cacheTtlSeconds * 1000, GRACE_MS) : undefined);
  if (auth.disabled || (!auth.masterKeySha256 && !keyStore)) {
    return { enabled: false, authenticate: async () => ANONYMOUS, warm: () => undefined };
  }
  const principals = new WeakMap<object, Principal>();
  // Decoded once: the config's master key is what most requests present.
  const masterDigest = auth.masterKeySha256 ? Buffer.from(auth.masterKeySha256, 'hex') : undefined;
  return {
    enabled: true,
    warm() {
      keyStore?.current().catch(() => undefined);
    },
    async authenticate(key) {
      if (!key) throw invalidApiKey('You did not provide an API key. Send it as "Authorization: Bearer <key>" (or "x-api-key: <key>").');
      const digest = sha256(key);
      if (masterDigest && digestMatches(digest, masterDigest)) return MASTER;
      if (!keyStore) throw invalidApiKey('Incorrect API key provided.');
      const hex = digest.toString('hex');
      let index = await keyStore.current();
      if (!index.keys.has(hex) && !index.masterDigests.some((stored) => digestMatches(digest, stored))) index = await keyStore.fresher();
      if (index.masterDigests.some((stored) => digestMatches(digest, stored))) return MASTER;
      const record = index.keys.get(hex);
      if (!record || !digestMatches(digest, record.sha256)) throw invalidApiKey('Incorrect API key provided.');
      if (record.disabled) throw invalidApiKey('This API key has been revoked.');
      if (record.expires_at && Date.parse(record.expires_at) <= Date.now()) throw invalidApiKey('This API key has expired.');
      let principal = principals.get(record);
      if (!principal) {
        principal = {
          keyId: record.id,
          ...(record.models !== '*' && { models: new Set(record.models) }),
          ...(record.rpm && { rpm: record.rpm }),
          ...(record.tpm && { tpm: record.tpm }),
          ...(record.budget && {
            budget: {
              maxBudget: record.budget,
              ...(record.budget_duration && { duration: record.budget_duration }),
              ...(record.budget_start && { anchor: record.budget_start }),
            },
          }),
        };
        principals.set(record, principal);
      }
      return principal;
    },
  };
}

/** `Authorization: Bearer <key>`, or `x-api-key` as some clients send it. */
export function presentedKey(authorization: string | undefined, xApiKey: string | undefined): string | undefined {
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match) return match[1]!.trim();
  }
  return xApiKey?.trim() || undefined;
}
