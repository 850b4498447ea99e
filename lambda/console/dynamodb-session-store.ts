import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { TABLE_KEY } from '../dynamodb/table-layout.js';
import type { SessionRecord, SessionStore } from './session-store.js';
import { type DynamoDb, tableCall } from './table-client.js';

type Item = Record<string, AttributeValue>;

/**
 * Sessions in the usage table, so every container knows them: `console-session#<sha256 of the id>`,
 * sort key `session`. Only UpdateItem and GetItem, which the function may already call on the table:
 * sign-out marks the item ended, and DynamoDB's TTL removes it after its absolute timeout.
 */
export class DynamoSessionStore implements SessionStore {
  constructor(
    private readonly table: string,
    private readonly db: DynamoDb,
  ) {}

  private key(idHash: string): Item {
    return { [TABLE_KEY.partition]: { S: `console-session#${idHash}` }, [TABLE_KEY.sort]: { S: 'session' } };
  }

  async create(idHash: string, s: SessionRecord, expiresAt: number): Promise<void> {
    await tableCall(this.db, 'UpdateItemCommand', {
      TableName: this.table,
      Key: this.key(idHash),
      // A fresh id never collides; the condition makes sure an existing session is never overwritten.
      ConditionExpression: 'attribute_not_exists(#pk)',
      UpdateExpression: 'SET #principal = :principal, #fingerprint = :fingerprint, #csrf = :csrf, #created = :created, #seen = :seen, #ttl = :ttl',
      ExpressionAttributeNames: {
        '#pk': TABLE_KEY.partition,
        '#principal': 'principal',
        '#fingerprint': 'fingerprint',
        '#csrf': 'csrf',
        '#created': 'created_at',
        '#seen': 'last_seen_at',
        '#ttl': TABLE_KEY.ttl,
      },
      ExpressionAttributeValues: {
        ':principal': { S: s.principal },
        ':fingerprint': { S: s.fingerprint },
        ':csrf': { S: s.csrf },
        ':created': { N: String(s.createdAt) },
        ':seen': { N: String(s.lastSeenAt) },
        ':ttl': { N: String(Math.ceil(expiresAt / 1000)) },
      },
    });
  }

  async get(idHash: string): Promise<SessionRecord | undefined> {
    const out = (await tableCall(this.db, 'GetItemCommand', { TableName: this.table, Key: this.key(idHash), ConsistentRead: true })) as {
      Item?: Item;
    };
    const item = out.Item;
    if (!item || item.ended?.BOOL || Number(item[TABLE_KEY.ttl]?.N ?? 0) * 1000 <= Date.now()) return undefined;
    return {
      principal: item.principal?.S ?? '',
      fingerprint: item.fingerprint?.S ?? '',
      csrf: item.csrf?.S ?? '',
      createdAt: Number(item.created_at?.N ?? 0),
      lastSeenAt: Number(item.last_seen_at?.N ?? 0),
    };
  }

  async touch(idHash: string, at: number): Promise<void> {
    await this.update(idHash, 'SET #seen = :seen', { '#seen': 'last_seen_at' }, { ':seen': { N: String(at) } });
  }

  async end(idHash: string): Promise<void> {
    await this.update(idHash, 'SET #ended = :true', { '#ended': 'ended' }, { ':true': { BOOL: true } });
  }

  private async update(idHash: string, expression: string, names: Record<string, string>, values: Item): Promise<void> {
    try {
      await tableCall(this.db, 'UpdateItemCommand', {
        TableName: this.table,
        Key: this.key(idHash),
        // Never brings back an item that TTL removed: only existing sessions are updated.
        ConditionExpression: 'attribute_exists(#pk)',
        UpdateExpression: expression,
        ExpressionAttributeNames: { '#pk': TABLE_KEY.partition, ...names },
        ExpressionAttributeValues: values,
      });
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  }
}
