import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { AWS_CLIENTS, awsClientOptions } from '../aws/client-policy.js';
import { type DynamoDbSdk, loadDynamoDbSdk } from '../dynamodb/load-sdk.js';
import { responseKey, responseSort, TABLE_KEY } from '../dynamodb/table-layout.js';
import type { ResponseStore, StoredResponse } from './response-store.js';

type DynamoDB = DynamoDbSdk;
type AttributeMap = Record<string, import('@aws-sdk/client-dynamodb').AttributeValue>;

const zip = promisify(gzip);
const unzip = promisify(gunzip);

/** Stored responses expire after this long (the table's TTL attribute, `ttl`, in epoch seconds). */
const TIME_TO_LIVE_S = 30 * 24 * 3600;
/** Bytes of gzipped record per item: DynamoDB items hold at most 400 KB. */
const PART_BYTES = 350_000;

/**
 * Responses kept in the gateway's DynamoDB table (`usage.table`, shared with usage and budgets; its
 * layout in `dynamodb/table-layout.ts`). A response's main item holds the owning key id, the TTL and
 * the gzipped record; a record over one item's size continues in part items, written before the main item, so a reader never sees half a record. Reads are
 * strongly consistent: a response is readable as soon as its answer is complete. The SDK is loaded on
 * first use (`dynamodb/load-sdk.ts`) and its client kept for the container's life; it follows
 * `AWS_ENDPOINT_URL_DYNAMODB`. Writes are whole items (puts), so the SDK may retry them safely.
 */
export class DynamoDBResponseStore implements ResponseStore {
  private client: Promise<{ sdk: DynamoDB; client: import('@aws-sdk/client-dynamodb').DynamoDBClient }> | undefined;

  constructor(private readonly table: string) {}

  private connect() {
    this.client ??= loadDynamoDbSdk().then((sdk) => ({
      sdk,
      client: new sdk.DynamoDBClient(awsClientOptions(AWS_CLIENTS.storedResponses)),
    }));
    return this.client;
  }

  async put(record: StoredResponse): Promise<void> {
    const { sdk, client } = await this.connect();
    const data = await zip(Buffer.from(JSON.stringify(record)));
    const parts: Buffer[] = [];
    for (let at = 0; at < data.length; at += PART_BYTES) parts.push(data.subarray(at, at + PART_BYTES));
    const ttl = { [TABLE_KEY.ttl]: { N: String(Math.floor(Date.now() / 1000) + TIME_TO_LIVE_S) } };
    const rest = parts.slice(1).map((part, i) => ({ PutRequest: { Item: { ...responseKey(record.id, i + 1), data: { B: part }, ...ttl } } }));
    await this.batchWrite(rest);
    await client.send(
      new sdk.PutItemCommand({
        TableName: this.table,
        Item: { ...responseKey(record.id), keyId: { S: record.keyId }, parts: { N: String(parts.length) }, data: { B: parts[0]! }, ...ttl },
      }),
    );
  }

  async get(id: string, keyId: string): Promise<StoredResponse | undefined> {
    const main = await this.main(id);
    if (!main || main.keyId?.S !== keyId || !main.data?.B) return undefined;
    const count = Number(main.parts?.N ?? 1);
    const chunks: Uint8Array[] = [main.data.B];
    if (count > 1) chunks.push(...(await this.parts(id, count)));
    return JSON.parse((await unzip(Buffer.concat(chunks))).toString('utf8')) as StoredResponse;
  }

  async delete(id: string, keyId: string): Promise<boolean> {
    const main = await this.main(id);
    if (!main || main.keyId?.S !== keyId) return false;
    const { sdk, client } = await this.connect();
    const count = Number(main.parts?.N ?? 1);
    await client.send(new sdk.DeleteItemCommand({ TableName: this.table, Key: responseKey(id) }));
    await this.batchWrite(Array.from({ length: count - 1 }, (_, i) => ({ DeleteRequest: { Key: responseKey(id, i + 1) } })));
    return true;
  }

  private async main(id: string): Promise<AttributeMap | undefined> {
    const { sdk, client } = await this.connect();
    const out = await client.send(new sdk.GetItemCommand({ TableName: this.table, Key: responseKey(id), ConsistentRead: true }));
    return out.Item;
  }

  private async parts(id: string, count: number): Promise<Uint8Array[]> {
    const { sdk, client } = await this.connect();
    const found = new Map<string, Uint8Array>();
    let keys: AttributeMap[] = Array.from({ length: count - 1 }, (_, i) => responseKey(id, i + 1));
    for (let round = 0; keys.length && round < 5; round++) {
      const batch = keys.slice(0, 100);
      const out = await client.send(new sdk.BatchGetItemCommand({ RequestItems: { [this.table]: { Keys: batch, ConsistentRead: true } } }));
      for (const item of out.Responses?.[this.table] ?? []) {
        const sort = item[TABLE_KEY.sort]?.S;
        if (sort && item.data?.B) found.set(sort, item.data.B);
      }
      keys = [...(out.UnprocessedKeys?.[this.table]?.Keys ?? []), ...keys.slice(100)];
    }
    const chunks = Array.from({ length: count - 1 }, (_, i) => found.get(responseSort(i + 1)));
    if (chunks.some((c) => !c)) throw new Error(`stored response ${id} is missing parts`);
    return chunks as Uint8Array[];
  }

  private async batchWrite(requests: import('@aws-sdk/client-dynamodb').WriteRequest[]): Promise<void> {
    if (requests.length === 0) return;
    const { sdk, client } = await this.connect();
    let pending = requests;
    for (let round = 0; pending.length && round < 5; round++) {
      const batch = pending.slice(0, 25);
      const out = await client.send(new sdk.BatchWriteItemCommand({ RequestItems: { [this.table]: batch } }));
      pending = [...(out.UnprocessedItems?.[this.table] ?? []), ...pending.slice(25)];
    }
    if (pending.length) throw new Error(`DynamoDB left ${pending.length} items unwritten`);
  }
}
