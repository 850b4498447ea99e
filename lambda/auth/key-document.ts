import * as z from 'zod/mini';
import { parseBudgetDuration } from '../usage/budget-period.js';
import { sha256Hex } from './key-hash.js';

/**
 * The key store: one JSON document in one Secrets Manager secret. Keys are kept as SHA-256 digests,
 * never in the clear. `revision` counts edits; the admin CLI uses it with Secrets Manager's
 * idempotency tokens to detect two admins writing at once.
 */
const isoDate = z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 date'));
const digest = z.string().check(z.regex(/^[0-9a-f]{64}$/, 'expected a hex SHA-256 digest'));

export const apiKeyRecordSchema = z.strictObject({
  id: z.string().check(z.regex(/^key_[0-9a-f]{12}$/, 'expected key_ and 12 hex digits')),
  name: z.string().check(z.minLength(1), z.maxLength(128)),
  sha256: digest,
  /** Shown in listings so people can tell keys apart: `sk-sg-…a1b2`. */
  hint: z.string(),
  /** Model names this key may use; `*` for all. */
  models: z.union([z.literal('*'), z.array(z.string().check(z.minLength(1)))]),
  created_at: isoDate,
  expires_at: z.optional(isoDate),
  /** Requests per minute: per container first, then across all of them when the gateway has a usage table. */
  rpm: z.optional(z.int().check(z.positive())),
  /** Tokens (prompt and completion) per minute, across all containers. */
  tpm: z.optional(z.int().check(z.positive())),
  /** USD per budget period (LiteLLM's key `max_budget`); once spent, 429 insufficient_quota until the period resets. */
  budget: z.optional(z.number().check(z.positive())),
  /** LiteLLM's `budget_duration` (30d, 7d, 1mo, daily...); a calendar month when absent. */
  budget_duration: z.optional(
    z.string().check(z.refine((d) => typeof parseBudgetDuration(d) !== 'string', 'expected a budget period such as 30d, 7d or 1mo')),
  ),
  /** The first day of the first budget period, for periods that are not calendar-aligned (e.g. 14d). */
  budget_start: z.optional(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD'))),
  disabled: z.optional(z.boolean()),
  /** May sign in to the admin console at /ui (`keys create --admin`). */
  admin: z.optional(z.boolean()),
});

export const keyDocumentSchema = z.strictObject({
  version: z.literal(1),
  revision: z.int().check(z.gte(0)),
  master_key_sha256: z.optional(digest),
  /** Written by the stack at creation (a generated key); `keys rotate-master` replaces it with a digest. */
  master_key: z.optional(z.string().check(z.minLength(16))),
  keys: z.array(apiKeyRecordSchema),
});

export type ApiKeyRecord = z.infer<typeof apiKeyRecordSchema>;
export type KeyDocument = z.infer<typeof keyDocumentSchema>;

/** Parses a secret's JSON; the stack's first version (`{"version":1,"master_key":"..."}`) is accepted as is. */
export function parseKeyDocument(secretString: string): KeyDocument {
  const raw = JSON.parse(secretString) as Record<string, unknown>;
  const parsed = keyDocumentSchema.safeParse({ revision: 0, keys: [], ...raw, version: raw.version ?? 1 });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`the key store document is invalid at ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  if (!parsed.data.master_key_sha256 && !parsed.data.master_key && parsed.data.keys.length === 0) {
    throw new Error('the key store document has no master key and no keys');
  }
  return parsed.data;
}

/** What authentication needs, indexed by digest. */
export interface KeyIndex {
  masterDigests: string[];
  keys: Map<string, ApiKeyRecord>;
}

/** One index over several documents (AWSCURRENT and AWSPENDING during a rotation). */
export function indexKeys(documents: KeyDocument[]): KeyIndex {
  const index: KeyIndex = { masterDigests: [], keys: new Map() };
  for (const doc of documents) {
    if (doc.master_key_sha256) index.masterDigests.push(doc.master_key_sha256);
    if (doc.master_key) index.masterDigests.push(sha256Hex(doc.master_key));
    for (const key of doc.keys) if (!index.keys.has(key.sha256)) index.keys.set(key.sha256, key);
  }
  return index;
}
