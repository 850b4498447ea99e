import { createAuthenticator } from '../../../lambda/auth/authenticator.js';
import { sha256Hex } from '../../../lambda/auth/key-hash.js';
import { SecretKeyStore } from '../../../lambda/auth/secret-key-store.js';
import type { SecretReader } from '../../../lambda/secrets/secrets-manager-reader.js';

/** Unit level: the store's caching rules, with a scripted reader in place of Secrets Manager. */
function scripted(documents: object[]) {
  const reads: string[] = [];
  let current = 0;
  const read: SecretReader = async (_id, stage) => {
    reads.push(stage ?? 'AWSCURRENT');
    return stage === 'AWSPENDING' ? undefined : JSON.stringify(documents[current]);
  };
  return { read, reads, next: () => current++ };
}

const doc = (...keys: string[]) => ({
  version: 1,
  revision: keys.length,
  master_key_sha256: sha256Hex('sk-master-0000000000'),
  keys: keys.map((k, i) => ({
    id: `key_00000000000${i}`,
    name: k,
    sha256: sha256Hex(k),
    hint: 'x',
    models: '*',
    created_at: '2026-11-01T00:00:00Z',
  })),
});

it('lets a key created a moment ago work before the TTL, reading at most once per interval', async () => {
  const s = scripted([doc('sk-old'), doc('sk-old', 'sk-new')]);
  const store = new SecretKeyStore('arn', 300_000, 900_000, s.read, 50);
  const auth = createAuthenticator({ disabled: false, cacheTtlSeconds: 300 }, store);
  await expect(auth.authenticate('sk-old')).resolves.toMatchObject({ keyId: 'key_000000000000' });
  s.next(); // an admin adds sk-new
  // Within the interval an unknown key causes no read.
  await expect(auth.authenticate('sk-new')).rejects.toMatchObject({ status: 401 });
  await expect(auth.authenticate('sk-bogus')).rejects.toMatchObject({ status: 401 });
  const readsBefore = s.reads.length;
  await new Promise((r) => setTimeout(r, 60));
  await expect(auth.authenticate('sk-new')).resolves.toMatchObject({ keyId: 'key_000000000001' });
  expect(s.reads.length - readsBefore).toBe(2); // AWSCURRENT and AWSPENDING, once
  // Known keys never trigger a read before the TTL.
  await auth.authenticate('sk-old');
  await auth.authenticate('sk-new');
  expect(s.reads.length - readsBefore).toBe(2);
});
