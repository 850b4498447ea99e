import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { TABLE_KEY } from '../dynamodb/table-layout.js';
import { type DynamoDb, tableCall } from './table-client.js';

/** Sign-in attempts are counted per client address in fixed windows of this length. */
export const THROTTLE_WINDOW_MS = 15 * 60_000;

/** Whether an attempt may go ahead, or how many seconds until the window ends. */
export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfter: number };

/**
 * Sign-in attempts per client address: every attempt takes a place in the current window before its
 * key is looked at, so a burst of attempts (sent in parallel, to many containers) cannot get past the
 * limit. The count is one atomic conditional increment: nothing is read and written back.
 */
export interface LoginThrottle {
  take(source: string, now?: number): Promise<ThrottleDecision>;
}

const windowOf = (now: number) => Math.floor(now / THROTTLE_WINDOW_MS) * THROTTLE_WINDOW_MS;
const refusal = (now: number): ThrottleDecision => ({
  allowed: false,
  retryAfter: Math.max(1, Math.ceil((windowOf(now) + THROTTLE_WINDOW_MS - now) / 1000)),
});

/** One process's count (the local server without a table, unit tests). */
export class MemoryLoginThrottle implements LoginThrottle {
  private readonly counts = new Map<string, { window: number; attempts: number }>();

  constructor(private readonly limit: number) {}

  async take(source: string, now = Date.now()): Promise<ThrottleDecision> {
    const window = windowOf(now);
    for (const [key, entry] of this.counts) if (entry.window < window) this.counts.delete(key);
    const entry = this.counts.get(source) ?? { window, attempts: 0 };
    if (entry.attempts >= this.limit) return refusal(now);
    entry.attempts++;
    this.counts.set(source, entry);
    return { allowed: true };
  }
}

/**
 * The count in the usage table, shared by every container: `console-signin#<address>`, sort key the
 * window's start, `ADD attempts 1` only while below the limit (ConditionalCheckFailed: refused).
 * Rows expire by TTL an hour after their window.
 */
export class DynamoLoginThrottle implements LoginThrottle {
  constructor(
    private readonly table: string,
    private readonly db: DynamoDb,
    private readonly limit: number,
  ) {}

  async take(source: string, now = Date.now()): Promise<ThrottleDecision> {
    const window = windowOf(now);
    const values: Record<string, AttributeValue> = {
      ':one': { N: '1' },
      ':limit': { N: String(this.limit) },
      ':ttl': { N: String(Math.ceil((window + THROTTLE_WINDOW_MS) / 1000) + 3600) },
    };
    try {
      await tableCall(this.db, 'UpdateItemCommand', {
        TableName: this.table,
        Key: { [TABLE_KEY.partition]: { S: `console-signin#${source}` }, [TABLE_KEY.sort]: { S: new Date(window).toISOString() } },
        ConditionExpression: 'attribute_not_exists(#attempts) OR #attempts < :limit',
        UpdateExpression: 'ADD #attempts :one SET #ttl = :ttl',
        ExpressionAttributeNames: { '#attempts': 'attempts', '#ttl': TABLE_KEY.ttl },
        ExpressionAttributeValues: values,
      });
      return { allowed: true };
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return refusal(now);
      throw error;
    }
  }
}

/**
 * The client's address: on a server of its own, the socket's peer (a header there is the client's to
 * write); on Lambda, the last `X-Forwarded-For` hop, the one the Function URL's front end adds
 * (earlier hops are the client's to write).
 */
export function clientAddress(forwardedFor: string | undefined, peer: string | undefined): string {
  const hops = (forwardedFor ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  const address = peer ?? hops.at(-1) ?? 'unknown';
  // Only what an address can hold: a forged header cannot write arbitrary keys into the table.
  return /^[0-9a-fA-F.:]{1,45}$/.test(address) ? address : 'unknown';
}
