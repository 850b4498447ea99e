import type OpenAI from 'openai';
import { parseConfig } from '../../config/load.js';
import { dayOf } from '../../lambda/dynamodb/table-layout.js';
import { DynamoUsageStore } from '../../lambda/usage/dynamodb-store.js';
import { teiContainer } from '../../local/emulators/embedding-containers.js';
import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import { SageMakerRuntimeEmulator } from '../../local/emulators/sagemaker-runtime.js';
import { environmentCredentials } from '../../local/emulators/sigv4-check.js';
import { buildHandlerBundle } from '../support/build-handler-bundle.js';
import { type DynamoDbDouble, startDynamoDb } from '../support/dynamodb-double.js';
import { type Harness, startHarness } from '../support/harness.js';
import { type Lambda, startLambda } from '../support/lambda-runtime-client.js';

/**
 * Metering end to end: the official client calls the gateway, the gateway writes its counters to a
 * real DynamoDB-protocol server (dynalite) through the real SDK, and the rows are read back.
 */
const TABLE = 'sagegate-usage-test';
const MASTER = 'sk-usage-master';
const REPLY = 'one two three four five six';
let db: DynamoDbDouble;
let h: Harness;
const store = new DynamoUsageStore(TABLE);

beforeAll(async () => {
  db = await startDynamoDb();
  process.env.AWS_ENDPOINT_URL_DYNAMODB = db.url;
  await db.createTable(TABLE);
  h = await startHarness(
    `
models:
  - { name: chat, endpoint: chat-ep, prices: { input_per_token: 0.000001, output_per_token: 0.000002 } }
  - { name: free, endpoint: chat-ep }
  - { name: embed, endpoint: embed-ep, dialect: tei }
usage: { table: ${TABLE} }
auth: { master_key: ${MASTER} }
`,
    (e) => {
      e.addEndpoint('chat-ep', openAIChatContainer({ reply: () => REPLY }));
      e.addEndpoint('embed-ep', teiContainer());
    },
  );
});
afterAll(async () => {
  await h.close();
  await db.stop();
});

const ask = [{ role: 'user' as const, content: 'How many tokens is this?' }];
const rowsToday = async () => store.rows(dayOf(Date.now()));
const rowOf = async (model: string) => (await rowsToday()).find((r) => r.model === model);

it('counts every answered chat (whole or streamed, usage asked for or not) and embedding in one row per key, model and day, with its cost', async () => {
  const client = h.client(MASTER);
  const whole = await client.chat.completions.create({ model: 'chat', messages: ask });
  await client.chat.completions.create({ model: 'chat', messages: ask });
  let streamed: OpenAI.CompletionUsage | undefined;
  for await (const chunk of await client.chat.completions.create({
    model: 'chat',
    messages: ask,
    stream: true,
    stream_options: { include_usage: true },
  }))
    streamed = chunk.usage ?? streamed;
  for await (const _ of await client.chat.completions.create({ model: 'chat', messages: ask, stream: true })) {
    // without usage in the stream: still metered
  }
  await client.chat.completions.create({ model: 'free', messages: ask });
  const embedded = await client.embeddings.create({ model: 'embed', input: ['first text', 'second text'] });
  await h.gateway.settled();

  const usage = whole.usage!;
  expect(streamed).toEqual(usage);
  const chat = await rowOf('chat');
  expect(chat).toMatchObject({
    key: 'master',
    served_by: 'chat',
    requests: 4,
    prompt_tokens: 4 * usage.prompt_tokens,
    completion_tokens: 4 * usage.completion_tokens,
    estimated_requests: 0,
    unpriced_requests: 0,
  });
  expect(chat!.cost).toBeCloseTo(4 * (usage.prompt_tokens * 0.000001 + usage.completion_tokens * 0.000002), 12);
  // No prices: tokens counted, no cost, and the row says so.
  expect(await rowOf('free')).toMatchObject({ requests: 1, prompt_tokens: usage.prompt_tokens, cost: 0, unpriced_requests: 1 });
  // TEI counts no tokens: the gateway's estimate, marked as such.
  expect(await rowOf('embed')).toMatchObject({
    requests: 1,
    prompt_tokens: embedded.usage.prompt_tokens,
    completion_tokens: 0,
    estimated_requests: 1,
  });
});

it('costs one write per request and no read when no budget is set, and counts nothing for a request that was not answered', async () => {
  const client = h.client(MASTER);
  const before = new Map(db.calls);
  await client.chat.completions.create({ model: 'chat', messages: ask });
  await expect(client.chat.completions.create({ model: 'nope', messages: ask })).rejects.toMatchObject({ status: 404 });
  await h.gateway.settled();
  const delta = (op: string) => (db.calls.get(op) ?? 0) - (before.get(op) ?? 0);
  expect(delta('UpdateItem')).toBe(1);
  expect(delta('Query')).toBe(0);
  expect(delta('GetItem')).toBe(0);
});

it('counts a stream the client abandons, with an estimate of what was generated', async () => {
  const before = (await rowOf('chat'))?.requests ?? 0;
  const controller = new AbortController();
  const stream = await h.client(MASTER).chat.completions.create({ model: 'chat', messages: ask, stream: true }, { signal: controller.signal });
  for await (const _ of stream) {
    controller.abort();
    break;
  }
  await new Promise((r) => setTimeout(r, 200));
  await h.gateway.settled();
  expect((await rowOf('chat'))!.requests).toBe(before + 1);
});

it('never counts twice: a throttled write is tried again, a write whose answer came too late is not', async () => {
  const client = h.client(MASTER);
  const before = (await rowOf('free'))!.requests;
  db.failNextWrite({ kind: 'throttle' });
  await client.chat.completions.create({ model: 'free', messages: ask });
  await h.gateway.settled();
  expect((await rowOf('free'))!.requests).toBe(before + 1);
  // Applied at once, answered after the client's deadline: the gateway cannot know, so it does not retry.
  db.failNextWrite({ kind: 'late', ms: 1500 });
  await client.chat.completions.create({ model: 'free', messages: ask });
  await h.gateway.settled();
  await new Promise((r) => setTimeout(r, 1600));
  expect((await rowOf('free'))!.requests).toBe(before + 2);
});

describe('on Lambda (the real bundle under aws-lambda-ric on Node 22)', () => {
  let lambda: Lambda;
  const sagemaker = new SageMakerRuntimeEmulator(undefined, environmentCredentials());

  beforeAll(async () => {
    sagemaker.addEndpoint('lambda-ep', openAIChatContainer({ reply: () => REPLY }));
    const config = parseConfig(`models: [{name: lambda-chat, endpoint: lambda-ep}]\nauth: {master_key: ${MASTER}}`, 'lambda usage test', {});
    const env = { AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: await sagemaker.start(), AWS_ENDPOINT_URL_DYNAMODB: db.url, SAGEGATE_USAGE_TABLE: TABLE };
    // The first run builds the runtime client (minutes); later runs reuse it.
    lambda = await startLambda({ bundle: await buildHandlerBundle(config), env });
  }, 600_000);
  afterAll(async () => {
    await lambda?.stop();
    await sagemaker.stop();
  });

  it('writes the usage row after the response and before the handler returns (nothing left in flight when Lambda freezes)', async () => {
    await lambda.api.idle();
    const before = db.calls.get('UpdateItem') ?? 0;
    const response = await fetch(`${lambda.functionUrl.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${MASTER}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'lambda-chat', messages: ask }),
    });
    expect(response.status).toBe(200);
    const outcome = await lambda.functionUrl.invocations.at(-1)!.finished;
    // The runtime asks for its next event once the handler has returned: there Lambda freezes the process.
    await lambda.api.idle();
    lambda.runtime.freeze();
    try {
      expect(outcome.kind).toBe('response');
      expect(lambda.api.nextCalls.at(-1)!).toBeGreaterThanOrEqual(outcome.endedAt);
      // The row is there while the process is frozen: no settling, no waiting.
      expect(db.calls.get('UpdateItem')).toBe(before + 1);
      expect(await rowOf('lambda-chat')).toMatchObject({ key: 'master', requests: 1, completion_tokens: 6 });
    } finally {
      lambda.runtime.thaw();
    }
  });
});
