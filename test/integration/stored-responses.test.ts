import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { Authenticator } from '../../lambda/auth/authenticator.js';
import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import { type Harness, startHarness } from '../support/harness.js';

const TABLE = 'sagegate-test';

/** Two API keys, `sk-a` and `sk-b`, each its own principal. */
const twoKeys: Authenticator = { enabled: true, warm: () => undefined, authenticate: async (key) => ({ keyId: key === 'sk-b' ? 'key-b' : 'key-a' }) };

describe('stored responses in DynamoDB (dynalite speaks its wire protocol)', () => {
  let server: ReturnType<typeof dynalite>;
  let h: Harness;
  let dynamo: DynamoDBClient;

  beforeAll(async () => {
    server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    process.env.AWS_ENDPOINT_URL_DYNAMODB = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dynamo = new DynamoDBClient({});
    await dynamo.send(
      new CreateTableCommand({
        TableName: TABLE,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
      }),
    );
    h = await startHarness(
      `models: [{ name: demo, endpoint: demo }]\nusage: { table: ${TABLE} }`,
      (e) => e.addEndpoint('demo', openAIChatContainer()),
      {
        overrides: { auth: twoKeys },
      },
    );
  });
  afterAll(async () => {
    await h.close();
    dynamo.destroy();
    await new Promise((resolve) => server.close(resolve));
    delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
  });

  const messages = () => JSON.parse(h.emulator.invocations.at(-1)!.body.toString()).messages;

  it('keeps a response (store is on by default), readable at once, with its key, a TTL, and its input items', async () => {
    const client = h.client('sk-a');
    const response = await client.responses.create({ model: 'demo', input: 'remember me' });
    expect(response).toMatchObject({ store: true });
    expect(await client.responses.retrieve(response.id)).toEqual(JSON.parse(JSON.stringify(response)));
    const item = await dynamo.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `response#${response.id}` }, sk: { S: 'response' } } }));
    expect(item.Item?.keyId?.S).toBe('key-a');
    const ttl = Number(item.Item?.ttl?.N);
    expect(ttl - Date.now() / 1000).toBeGreaterThan(29 * 24 * 3600);
    const items = await client.responses.inputItems.list(response.id);
    expect(items.data).toEqual([expect.objectContaining({ type: 'message', role: 'user', content: 'remember me' })]);
  });

  it('continues from previous_response_id, streamed turns included (stored before response.completed)', async () => {
    const client = h.client('sk-a');
    const stream = client.responses.stream({ model: 'demo', input: 'first', instructions: 'Be brief.' });
    const first = await stream.finalResponse();
    // Read at once: the write finished before the answer did.
    await expect(client.responses.retrieve(first.id)).resolves.toMatchObject({ id: first.id, status: 'completed' });
    const second = await client.responses.create({ model: 'demo', input: 'second', previous_response_id: first.id });
    expect(messages()).toEqual([
      { role: 'user', content: 'first' },
      { role: 'assistant', content: first.output_text },
      { role: 'user', content: 'second' },
    ]);
    const third = await client.responses.create({ model: 'demo', input: 'third', previous_response_id: second.id });
    expect(messages().map((m: { content: string }) => m.content)).toEqual(['first', first.output_text, 'second', second.output_text, 'third']);
    expect(third.previous_response_id).toBe(second.id);
  });

  it('one key never reads, continues or deletes another key’s response', async () => {
    const mine = await h.client('sk-a').responses.create({ model: 'demo', input: 'private' });
    const other = h.client('sk-b');
    await expect(other.responses.retrieve(mine.id)).rejects.toMatchObject({ status: 404 });
    await expect(other.responses.delete(mine.id)).rejects.toMatchObject({ status: 404 });
    await expect(other.responses.create({ model: 'demo', input: 'x', previous_response_id: mine.id })).rejects.toMatchObject({
      status: 404,
      param: 'previous_response_id',
    });
    await expect(h.client('sk-a').responses.retrieve(mine.id)).resolves.toMatchObject({ id: mine.id });
  });

  it('deletes a response; store: false keeps none', async () => {
    const client = h.client('sk-a');
    const response = await client.responses.create({ model: 'demo', input: 'forget me' });
    await expect(client.responses.delete(response.id) as Promise<unknown>).resolves.toMatchObject({ id: response.id, deleted: true });
    await expect(client.responses.retrieve(response.id)).rejects.toMatchObject({ status: 404 });
    const unstored = await client.responses.create({ model: 'demo', input: 'x', store: false });
    expect(unstored).toMatchObject({ store: false });
    await expect(client.responses.retrieve(unstored.id)).rejects.toMatchObject({ status: 404 });
  });

  it('keeps a conversation larger than one DynamoDB item (400 KB) in parts, and reads it back whole', async () => {
    const client = h.client('sk-a');
    const big = randomBytes(900_000).toString('base64');
    const first = await client.responses.create({
      model: 'demo',
      input: [
        { role: 'developer', content: big },
        { role: 'user', content: 'short' },
      ],
    });
    const parts = await dynamo.send(
      new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: `response#${first.id}` } } }),
    );
    expect(parts.Count).toBeGreaterThan(2);
    await client.responses.create({ model: 'demo', input: 'next', previous_response_id: first.id });
    expect(messages()[0]).toEqual({ role: 'system', content: big });
    await client.responses.delete(first.id);
    const left = await dynamo.send(
      new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: `response#${first.id}` } } }),
    );
    expect(left.Count).toBe(0);
  });

  it('answers even when the response cannot be kept (no such table), and says so: store false', async () => {
    const other = await startHarness('models: [{ name: demo, endpoint: demo }]\nusage: { table: missing-table }', (e) =>
      e.addEndpoint('demo', openAIChatContainer()),
    );
    try {
      const response = await other.client().responses.create({ model: 'demo', input: 'x' });
      expect(response).toMatchObject({ status: 'completed', store: false });
    } finally {
      await other.close();
    }
  });
});
