import { randomBytes, randomInt } from 'node:crypto';
import type { ApiKeyRecord, KeyDocument } from '../auth/key-document.js';
import { sha256Hex } from '../auth/key-hash.js';
import { KeyEditError } from './key-edit-error.js';

/** Edits of the key store document: pure functions, so the store can re-apply them after a conflict. */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** An OpenAI-looking key with a recognisable prefix and about 238 bits of randomness. */
export function newApiKey(): string {
  let key = 'sk-sg-';
  for (let i = 0; i < 40; i++) key += ALPHABET[randomInt(ALPHABET.length)];
  return key;
}

export const hintOf = (key: string) => `sk-sg-…${key.slice(-4)}`;

export interface CreateOptions {
  name: string;
  models: string[] | '*';
  expiresAt?: string;
  rpm?: number;
  tpm?: number;
  budget?: number;
  budgetDuration?: string;
  /** May sign in to the console at /ui. */
  admin?: boolean;
}

/** What `keys update` changes: a value sets, null removes, undefined leaves as is. */
export interface KeyChanges {
  rpm?: number | null;
  tpm?: number | null;
  budget?: number | null;
  budgetDuration?: string | null;
}

export function addKey(doc: KeyDocument, key: string, options: CreateOptions, now = new Date()): { doc: KeyDocument; record: ApiKeyRecord } {
  const record: ApiKeyRecord = {
    id: `key_${randomBytes(6).toString('hex')}`,
    name: options.name,
    sha256: sha256Hex(key),
    hint: hintOf(key),
    models: options.models,
    created_at: now.toISOString(),
    ...(options.expiresAt && { expires_at: options.expiresAt }),
    ...(options.rpm && { rpm: options.rpm }),
    ...(options.tpm && { tpm: options.tpm }),
    ...(options.budget && { budget: options.budget, budget_start: now.toISOString().slice(0, 10) }),
    ...(options.budget && options.budgetDuration && { budget_duration: options.budgetDuration }),
    ...(options.admin && { admin: true }),
  };
  return { doc: { ...doc, keys: [...doc.keys, record] }, record };
}

/** A key's limits changed; a budget (re)set starts its periods today (for periods not aligned to the calendar). */
export function updateKey(doc: KeyDocument, id: string, changes: KeyChanges, now = new Date()): { doc: KeyDocument; record: ApiKeyRecord } {
  const found = doc.keys.find((k) => k.id === id);
  if (!found) throw new KeyEditError(`no key with id ${id} (see: sagegate keys list)`);
  const record: ApiKeyRecord = { ...found };
  const apply = <K extends 'rpm' | 'tpm' | 'budget' | 'budget_duration'>(field: K, value: ApiKeyRecord[K] | null | undefined) => {
    if (value === null) delete record[field];
    else if (value !== undefined) record[field] = value;
  };
  apply('rpm', changes.rpm);
  apply('tpm', changes.tpm);
  apply('budget', changes.budget);
  apply('budget_duration', changes.budgetDuration);
  if (!record.budget) {
    delete record.budget_duration;
    delete record.budget_start;
  } else if (changes.budget !== undefined || changes.budgetDuration !== undefined) {
    record.budget_start = now.toISOString().slice(0, 10);
  }
  return { doc: { ...doc, keys: doc.keys.map((k) => (k.id === id ? record : k)) }, record };
}

export function revokeKey(doc: KeyDocument, id: string): KeyDocument {
  const found = doc.keys.find((k) => k.id === id);
  if (!found) throw new KeyEditError(`no key with id ${id} (see: sagegate keys list)`);
  // Kept, marked disabled: the listing still shows who had it.
  return { ...doc, keys: doc.keys.map((k) => (k.id === id ? { ...k, disabled: true } : k)) };
}

/** The master key replaced by a new one, kept as its digest only. */
export function replaceMaster(doc: KeyDocument, key: string): KeyDocument {
  const { master_key: _plain, ...rest } = doc;
  return { ...rest, master_key_sha256: sha256Hex(key) };
}

export function keyStatus(record: ApiKeyRecord, now = Date.now()): 'active' | 'revoked' | 'expired' {
  if (record.disabled) return 'revoked';
  if (record.expires_at && Date.parse(record.expires_at) <= now) return 'expired';
  return 'active';
}
