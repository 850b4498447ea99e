import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  apiCounter,
  DAY_MS,
  dayStart,
  HOUR_ATTRIBUTES,
  type HourCounters,
  hourAttribute,
  limitPartition,
  TABLE_KEY,
  USAGE_APIS,
  USAGE_COUNTERS,
  type UsageRow,
  usagePartition,
  usageSort,
} from '../dynamodb/table-layout.js';
import { DYNAMODB_TIMEOUT_MS, dynamoDb, retryable } from './dynamodb-client.js';
import type { MinuteLimits, UsageIncrement, UsageStore } from './usage-store.js';

const ATTEMPTS = 3;
const BACKOFF_MS = [25, 100];
/** Minute rows are kept an hour, then DynamoDB's TTL removes them. */
const LIMIT_ROW_TTL_S = 3600;

type Item = Record<string, AttributeValue>;

/**
 * Usage in a DynamoDB table (docs/wire-facts.md §10): one UpdateItem with ADD per answered request,
 * a conditional UpdateItem per rate-limited request, Queries of day partitions for spend. Never a
 * read followed by a write of what was read.
 */
export class DynamoUsageStore implements UsageStore {
  readonly shared = true;

  constructor(
    readonly table: string,
    private readonly retentionDays = 400,
  ) {}

  get description(): string {
    return `DynamoDB table ${this.table}`;
  }

  async add(i: UsageIncrement): Promise<void> {
    const expiresAt = Math.floor((dayStart(i.day) + (this.retentionDays + 1) * DAY_MS) / 1000);
    // The hour's counters in the same item and the same write as the day's.
    const hour = i.hour === undefined ? '' : ', #hr :one, #hp :prompt, #hc :completion, #hd :cost';
    await this.write({
      Key: { [TABLE_KEY.partition]: { S: usagePartition(i.day) }, [TABLE_KEY.sort]: { S: usageSort(i.keyId, i.model, i.servedBy) } },
      UpdateExpression:
        `ADD #requests :one, #prompt :prompt, #completion :completion, #cost :cost, #estimated :estimated, #unpriced :unpriced${i.api ? ', #api :one' : ''}${hour} ` +
        'SET #day = :day, #key = :key, #model = :model, #servedBy = :servedBy, #ttl = :ttl',
      ExpressionAttributeNames: {
        ...(i.api && { '#api': apiCounter(i.api) }),
        '#requests': 'requests',
        '#prompt': 'prompt_tokens',
        '#completion': 'completion_tokens',
        '#cost': 'cost',
        '#estimated': 'estimated_requests',
        '#unpriced': 'unpriced_requests',
        '#day': 'day',
        '#key': 'key',
        '#model': 'model',
        '#servedBy': 'served_by',
        '#ttl': TABLE_KEY.ttl,
        ...(i.hour !== undefined && {
          '#hr': hourAttribute(i.hour, 'requests'),
          '#hp': hourAttribute(i.hour, 'prompt_tokens'),
          '#hc': hourAttribute(i.hour, 'completion_tokens'),
          '#hd': hourAttribute(i.hour, 'cost'),
        }),
      },
      ExpressionAttributeValues: {
        ':one': { N: '1' },
        ':prompt': { N: String(i.promptTokens) },
        ':completion': { N: String(i.completionTokens) },
        ':cost': { N: decimal(i.cost ?? 0) },
        ':estimated': { N: i.estimated ? '1' : '0' },
        ':unpriced': { N: i.cost === undefined ? '1' : '0' },
        ':day': { S: i.day },
        ':key': { S: i.keyId },
        ':model': { S: i.model },
        ':servedBy': { S: i.servedBy },
        ':ttl': { N: String(expiresAt) },
      },
    });
  }

  async spend(day: string, keyId?: string): Promise<number> {
    let total = 0;
    for (const item of await this.query(day, keyId, ['cost'])) total += Number(item.cost?.N ?? 0);
    return total;
  }

  async takeRequest(scope: string, minute: string, limits: MinuteLimits): Promise<boolean> {
    const conditions: string[] = [];
    const values: Item = { ':one': { N: '1' }, ':ttl': { N: String(minuteTtl(minute)) } };
    if (limits.rpm !== undefined) {
      conditions.push('(attribute_not_exists(#requests) OR #requests < :rpm)');
      values[':rpm'] = { N: String(limits.rpm) };
    }
    if (limits.tpm !== undefined) {
      conditions.push('(attribute_not_exists(#tokens) OR #tokens < :tpm)');
      values[':tpm'] = { N: String(limits.tpm) };
    }
    try {
      await this.send('UpdateItemCommand', {
        TableName: this.table,
        Key: { [TABLE_KEY.partition]: { S: limitPartition(scope) }, [TABLE_KEY.sort]: { S: minute } },
        UpdateExpression: 'ADD #requests :one SET #ttl = :ttl',
        ...(conditions.length && { ConditionExpression: conditions.join(' AND ') }),
        ExpressionAttributeNames: { '#requests': 'requests', '#ttl': TABLE_KEY.ttl, ...(limits.tpm !== undefined && { '#tokens': 'tokens' }) },
        ExpressionAttributeValues: values,
      });
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async addTokens(scope: string, minute: string, tokens: number): Promise<void> {
    await this.write({
      Key: { [TABLE_KEY.partition]: { S: limitPartition(scope) }, [TABLE_KEY.sort]: { S: minute } },
      UpdateExpression: 'ADD #tokens :tokens SET #ttl = :ttl',
      ExpressionAttributeNames: { '#tokens': 'tokens', '#ttl': TABLE_KEY.ttl },
      ExpressionAttributeValues: { ':tokens': { N: String(tokens) }, ':ttl': { N: String(minuteTtl(minute)) } },
    });
  }

  async rows(day: string, keyId?: string): Promise<UsageRow[]> {
    return (await this.query(day, keyId)).map((item) => {
      const row = { day, key: item.key?.S ?? '', model: item.model?.S ?? '', served_by: item.served_by?.S ?? '' } as UsageRow;
      for (const counter of USAGE_COUNTERS) row[counter] = Number(item[counter]?.N ?? 0);
      row.by_api = {};
      for (const api of USAGE_APIS) {
        const count = item[apiCounter(api)]?.N;
        if (count) row.by_api[api] = Number(count);
      }
      const hours = hoursOf(item);
      if (hours) row.hours = hours;
      return row;
    });
  }

  /**
   * An UpdateItem with ADD, tried again only after failures that prove it was not applied
   * (throttling, a refused connection): after a timeout or a reset it may have been, and trying again
   * could count it twice, so the failure goes to the caller (logged, counted, never retried blind).
   */
  private async write(input: {
    Key: Item;
    UpdateExpression: string;
    ExpressionAttributeNames: Record<string, string>;
    ExpressionAttributeValues: Item;
  }) {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.send('UpdateItemCommand', { TableName: this.table, ...input });
        return;
      } catch (error) {
        if (attempt >= ATTEMPTS || !retryable(error)) throw error;
        await new Promise((r) => setTimeout(r, BACKOFF_MS[attempt - 1]));
      }
    }
  }

  /** The items of a day partition (one key's, when given), every page; strongly consistent. */
  private async query(day: string, keyId: string | undefined, attributes?: string[]): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const out = (await this.send('QueryCommand', {
        TableName: this.table,
        KeyConditionExpression: keyId ? '#pk = :pk AND begins_with(#sk, :key)' : '#pk = :pk',
        ExpressionAttributeNames: {
          '#pk': TABLE_KEY.partition,
          ...(keyId && { '#sk': TABLE_KEY.sort }),
          ...Object.fromEntries((attributes ?? []).map((a) => [`#${a}`, a])),
        },
        ExpressionAttributeValues: { ':pk': { S: usagePartition(day) }, ...(keyId && { ':key': { S: `${keyId}#` } }) },
        ...(attributes && { ProjectionExpression: attributes.map((a) => `#${a}`).join(', ') }),
        ConsistentRead: true,
        ...(start && { ExclusiveStartKey: start }),
      })) as { Items?: Item[]; LastEvaluatedKey?: Item };
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** One call with its own deadline, so a hanging store (or a pool waiting for a socket) never holds a request. */
  private async send(command: 'UpdateItemCommand' | 'QueryCommand', input: object): Promise<unknown> {
    const { sdk, client } = await dynamoDb();
    const Command = sdk[command] as unknown as new (input: object) => Parameters<DynamoDBClient['send']>[0];
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new DynamoDbTimeout()), DYNAMODB_TIMEOUT_MS);
    try {
      return await client.send(new Command(input), { abortSignal: abort.signal });
    } finally {
      clearTimeout(timer);
    }
  }
}

export class DynamoDbTimeout extends Error {
  override readonly name = 'DynamoDbTimeout';
  constructor() {
    super(`DynamoDB did not answer within ${DYNAMODB_TIMEOUT_MS} ms`);
  }
}

const HOUR_COUNTER_OF = Object.fromEntries(Object.entries(HOUR_ATTRIBUTES).map(([counter, letter]) => [letter, counter])) as Record<
  string,
  keyof HourCounters
>;

/** The per-hour counters of a usage item (`h07r`, `h07p`, ...), or undefined when it has none. */
function hoursOf(item: Item): Record<string, HourCounters> | undefined {
  let hours: Record<string, HourCounters> | undefined;
  for (const [name, value] of Object.entries(item)) {
    const match = /^h(\d\d)([a-z])$/.exec(name);
    const counter = match && HOUR_COUNTER_OF[match[2]!];
    if (!counter || value.N === undefined) continue;
    hours ??= {};
    const hour = hours[match[1]!] ?? { requests: 0, prompt_tokens: 0, completion_tokens: 0, cost: 0 };
    hour[counter] = Number(value.N);
    hours[match[1]!] = hour;
  }
  return hours;
}

/** A DynamoDB number from a JS number: costs as exact decimals (DynamoDB adds decimals exactly). */
export function decimal(value: number): string {
  if (Number.isInteger(value)) return String(value);
  const fixed = value.toFixed(12).replace(/0+$/, '').replace(/\.$/, '');
  return fixed === '-0' ? '0' : fixed;
}

const minuteTtl = (minute: string) => Math.floor(Date.parse(`${minute}:00Z`) / 1000) + LIMIT_ROW_TTL_S;
