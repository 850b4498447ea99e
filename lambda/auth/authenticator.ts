import type { AuthConfig } from '../config/types.js';
import { GatewayError } from '../http/errors.js';
import { digestMatches, sha256 } from './key-hash.js';
import { SecretKeyStore } from './secret-key-store.js';

/** Who is calling, and which models they may use (undefined: all). */
export interface Principal {
  keyId: string;
  models?: ReadonlySet<string>;
}

export interface Authenticator {
  readonly enabled: boolean;
  authenticate(key: string | undefined): Promise<Principal>;
}

const MASTER: Principal = { keyId: 'master' };
const ANONYMOUS: Principal = { keyId: 'anonymous' };
const GRACE_MS = 15 * 60 * 1000;

export const invalidApiKey = (message: string) =>
  new GatewayError(401, message, { type: 'authentication_error', code: 'invalid_api_key' });

export function createAuthenticator(auth: AuthConfig, store?: SecretKeyStore): Authenticator {
  const keyStore = store ?? (auth.keysSecret ? new SecretKeyStore(auth.keysSecret, auth.cacheTtlSeconds * 1000, GRACE_MS) : undefined);
  if (auth.disabled || (!auth.masterKeySha256 && !keyStore)) {
    return { enabled: false, authenticate: async () => ANONYMOUS };
  }
  return {
    enabled: true,
    async authenticate(key) {
      if (!key) throw invalidApiKey('You did not provide an API key. Send it as "Authorization: Bearer <key>".');
      const digest = sha256(key);
      if (auth.masterKeySha256 && digestMatches(digest, auth.masterKeySha256)) return MASTER;
      if (keyStore) {
        const doc = await keyStore.current();
        if (doc.masterKeySha256.some((stored) => digestMatches(digest, stored))) return MASTER;
      }
      throw invalidApiKey('Incorrect API key provided.');
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
