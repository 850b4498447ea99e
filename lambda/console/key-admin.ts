import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod/mini';
import type { ApiKeyRecord } from '../auth/key-document.js';
import { KeyEditError } from '../keys/key-edit-error.js';
import { addKey, keyStatus, newApiKey, replaceMaster, revokeKey, updateKey } from '../keys/key-edits.js';
import { KeyStoreSecret } from '../keys/key-store-secret.js';
import { lifetimeEnd } from '../keys/lifetime.js';
import { refuseDuringRotation } from '../keys/rotation-guard.js';
import { parseBudgetDuration } from '../usage/budget-period.js';

/** A key as the console lists it: never its digest, never the key. */
export interface ListedKey {
  id: string;
  name: string;
  hint: string;
  models: string[] | '*';
  status: 'active' | 'revoked' | 'expired';
  admin: boolean;
  created_at: string;
  expires_at?: string;
  rpm?: number;
  tpm?: number;
  budget?: number;
  budget_duration?: string;
  budget_start?: string;
}

export interface KeyListing {
  master: { stored: 'hash' | 'generated'; rotation: 'none' | 'pending' | 'invalid'; problem?: string };
  keys: ListedKey[];
}

const positiveInt = z.int().check(z.positive());
const budgetDuration = z
  .string()
  .check(z.refine((d) => typeof parseBudgetDuration(d) !== 'string', 'expected a budget period such as 30d, 7d or 1mo'));
const createSchema = z.strictObject({
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(128)),
  models: z.optional(z.union([z.literal('*'), z.array(z.string().check(z.minLength(1), z.maxLength(256))).check(z.minLength(1))])),
  expires: z.optional(z.string().check(z.refine((t) => lifetimeEnd(t) !== undefined, 'expected a duration such as 30d, 12h or 90m'))),
  rpm: z.optional(positiveInt),
  tpm: z.optional(positiveInt),
  budget: z.optional(z.number().check(z.positive(), z.refine(Number.isFinite, 'expected a number of US dollars'))),
  budget_duration: z.optional(budgetDuration),
  admin: z.optional(z.boolean()),
});
const updateSchema = z.strictObject({
  rpm: z.optional(z.nullable(positiveInt)),
  tpm: z.optional(z.nullable(positiveInt)),
  budget: z.optional(z.nullable(z.number().check(z.positive(), z.refine(Number.isFinite, 'expected a number of US dollars')))),
  budget_duration: z.optional(budgetDuration),
});

function parsed<T>(schema: z.ZodMiniType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new KeyEditError(`${issue.path.join('.') || 'body'}: ${issue.message}`);
}

const listed = (k: ApiKeyRecord): ListedKey => ({
  id: k.id,
  name: k.name,
  hint: k.hint,
  models: k.models,
  status: keyStatus(k),
  admin: Boolean(k.admin),
  created_at: k.created_at,
  ...(k.expires_at && { expires_at: k.expires_at }),
  ...(k.rpm && { rpm: k.rpm }),
  ...(k.tpm && { tpm: k.tpm }),
  ...(k.budget && { budget: k.budget }),
  ...(k.budget_duration && { budget_duration: k.budget_duration }),
  ...(k.budget_start && { budget_start: k.budget_start }),
});

/**
 * The console's key management: the CLI's own edits (lambda/keys), with its validation, its refusal
 * during a rotation, and its guard against lost edits (each write is tied to the version it was based
 * on; a concurrent writer's version wins and the edit is applied again on top of it).
 */
export class KeyAdmin {
  private readonly store: KeyStoreSecret;

  constructor(secretId: string, client: SecretsManagerClient) {
    this.store = new KeyStoreSecret(secretId, client);
  }

  async list(): Promise<KeyListing> {
    const current = await this.store.read();
    if (!current) throw new Error('the key store secret has no current version');
    const pending = await this.store.pending();
    return {
      master: {
        stored: current.doc.master_key ? 'generated' : 'hash',
        rotation: !pending ? 'none' : pending.problem ? 'invalid' : 'pending',
        ...(pending?.problem && { problem: pending.problem }),
      },
      keys: current.doc.keys.map(listed),
    };
  }

  /** A new key: the record and, once, the key itself. */
  async create(body: unknown): Promise<{ key: string; record: ListedKey }> {
    const input = parsed(createSchema, body);
    if (input.budget_duration && !input.budget) throw new KeyEditError('budget_duration needs budget');
    const expiresAt = input.expires ? lifetimeEnd(input.expires) : undefined;
    await refuseDuringRotation(this.store);
    const key = newApiKey();
    const record = await this.store.edit((doc) => {
      const { doc: next, record } = addKey(doc, key, {
        name: input.name,
        models: input.models ?? '*',
        expiresAt,
        rpm: input.rpm,
        tpm: input.tpm,
        budget: input.budget,
        budgetDuration: input.budget_duration,
        admin: input.admin,
      });
      return { doc: next, result: record };
    });
    return { key, record: listed(record) };
  }

  async update(id: string, body: unknown): Promise<ListedKey> {
    const input = parsed(updateSchema, body);
    const changes = { rpm: input.rpm, tpm: input.tpm, budget: input.budget, budgetDuration: input.budget_duration };
    if (Object.values(changes).every((v) => v === undefined)) throw new KeyEditError('give rpm, tpm, budget or budget_duration');
    await refuseDuringRotation(this.store);
    const record = await this.store.edit((doc) => {
      const { doc: next, record } = updateKey(doc, id, changes);
      return { doc: next, result: record };
    });
    return listed(record);
  }

  async revoke(id: string): Promise<void> {
    await refuseDuringRotation(this.store);
    await this.store.edit((doc) => ({ doc: revokeKey(doc, id), result: undefined }));
  }

  /** Stages a new master key (AWSPENDING: old and new both work); returns it, once. */
  async stageMaster(): Promise<string> {
    await refuseDuringRotation(this.store);
    const key = newApiKey();
    await this.store.edit((doc) => ({ doc: replaceMaster(doc, key), result: undefined }), 'AWSPENDING');
    return key;
  }

  async finishRotation(): Promise<void> {
    try {
      await this.store.promotePending();
    } catch (error) {
      throw asRefusal(error);
    }
  }

  async abortRotation(): Promise<void> {
    try {
      await this.store.abortPending();
    } catch (error) {
      throw asRefusal(error);
    }
  }
}

/** The store's own refusals (no rotation pending, an invalid pending version) are the caller's 400; AWS failures stay failures. */
function asRefusal(error: unknown): unknown {
  return error instanceof Error && !('$metadata' in error) ? new KeyEditError(error.message) : error;
}
