import { KeyEditError } from './key-edit-error.js';
import type { KeyStoreSecret } from './key-store-secret.js';

/** Edits made while a rotation is pending would be lost when the pending version is promoted: refused until it ends. */
export async function refuseDuringRotation(store: KeyStoreSecret): Promise<void> {
  const pending = await store.pending();
  if (!pending) return;
  if (pending.problem) {
    throw new KeyEditError(
      `a master key rotation is pending, and its version is invalid (${pending.problem}); abandon it first: sagegate keys rotate-master --abort`,
    );
  }
  throw new KeyEditError('a master key rotation is pending; finish it first (sagegate keys rotate-master --finish) or abandon it (--abort)');
}
