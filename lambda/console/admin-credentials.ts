import { createHmac } from 'node:crypto';
import type { KeyIndex } from '../auth/key-document.js';
import { digestMatches, sha256 } from '../auth/key-hash.js';

/** Who a key signs in as: the master key, or an admin key by its id. */
export interface AdminIdentity {
  principal: string;
  /** Ties the session to the very key that signed in (its digest, under the console's secret). */
  fingerprint: string;
}

/** Longer than any key the gateway makes: refused unread, so a huge body costs no hashing. */
const MAX_KEY_LENGTH = 256;

const fingerprintOf = (secret: Buffer, principal: string, digestHex: string) =>
  createHmac('sha256', secret).update(`${principal}:${digestHex}`).digest('base64url');

/**
 * The console's sign-in: the config's master key, the key store's master key (both during a
 * rotation), or a key store key with the admin scope that is neither revoked nor expired. Keys are
 * compared as SHA-256 digests in constant time; nothing else reaches the console.
 */
export class AdminCredentials {
  constructor(
    private readonly keys: () => Promise<KeyIndex | undefined>,
    private readonly configMasterSha256: string | undefined,
    private readonly secret: () => Promise<Buffer>,
    private readonly hasKeyStore: boolean,
  ) {}

  /** The identity a presented key signs in as, or undefined. */
  async identify(key: string): Promise<AdminIdentity | undefined> {
    if (!key || key.length > MAX_KEY_LENGTH) return undefined;
    const digest = sha256(key);
    const hex = digest.toString('hex');
    const secret = await this.secret();
    if (this.configMasterSha256 && digestMatches(digest, this.configMasterSha256))
      return { principal: 'master', fingerprint: fingerprintOf(secret, 'master', hex) };
    const index = await this.keys();
    if (!index) return undefined;
    if (index.masterDigests.some((stored) => digestMatches(digest, stored)))
      return { principal: 'master', fingerprint: fingerprintOf(secret, 'master', hex) };
    const record = index.keys.get(hex);
    if (!record || !digestMatches(digest, record.sha256) || !record.admin || !active(record)) return undefined;
    return { principal: record.id, fingerprint: fingerprintOf(secret, record.id, hex) };
  }

  /**
   * Whether a session's key still signs in: a master key replaced by a rotation, or an admin key
   * revoked, expired or stripped of its scope, ends its sessions once the key store copy (cached for
   * the gateway's key TTL) shows it.
   */
  async stillValid(principal: string, fingerprint: string): Promise<boolean> {
    const secret = await this.secret();
    if (principal === 'master') {
      const digests = [...(this.configMasterSha256 ? [this.configMasterSha256] : []), ...((await this.keys())?.masterDigests ?? [])];
      return digests.some((hex) => fingerprintOf(secret, 'master', hex) === fingerprint);
    }
    const index = await this.keys();
    const record = index && [...index.keys.values()].find((r) => r.id === principal);
    return Boolean(record?.admin && active(record) && fingerprintOf(secret, record.id, record.sha256) === fingerprint);
  }

  /** Whether anything can sign in at all (a master key in the config, or a key store). */
  get configured(): boolean {
    return Boolean(this.configMasterSha256) || this.hasKeyStore;
  }
}

function active(record: { disabled?: boolean; expires_at?: string }): boolean {
  return !record.disabled && !(record.expires_at && Date.parse(record.expires_at) <= Date.now());
}
