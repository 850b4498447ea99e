import { main } from '../../cli/sagegate.js';
import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import { SecretsManagerEmulator } from '../../local/emulators/secrets-manager.js';
import { type DynamoDbDouble, startDynamoDb } from '../support/dynamodb-double.js';
import { type Harness, startHarness } from '../support/harness.js';

/**
 * The usage table going away mid-run (connections refused, or accepted and never answered): requests
 * keep flowing under the failure policy, none waits more than a DynamoDB deadline, keys still fail
 * closed, and limits come back when the table does.
 */
const TABLE = 'sagegate-outage-test';
const secrets = new SecretsManagerEmulator();
let db: DynamoDbDouble;
let arn: string;
let key: string;

const config = (policy: string) => `
models: [{ name: chat, endpoint: chat-ep }]
usage: { table: ${TABLE}, ${policy} }
auth: { keys_secret: "${arn}", cache_ttl_seconds: 1 }
`;
const ask = [{ role: 'user' as const, content: 'hi' }];

/** The outcome of one call and how long it took. */
async function timed(h: Harness, apiKey = key) {
  const started = performance.now();
  try {
    await h.client(apiKey).chat.completions.create({ model: 'chat', messages: ask });
    return { outcome: 'ok', ms: performance.now() - started };
  } catch (error) {
    const e = error as { code?: string; status?: number; headers?: Headers };
    return { outcome: e.code ?? String(e.status), ms: performance.now() - started, retryAfter: e.headers?.get('retry-after') };
  }
}

beforeAll(async () => {
  db = await startDynamoDb();
  process.env.AWS_ENDPOINT_URL_DYNAMODB = db.url;
  await db.createTable(TABLE);
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = await secrets.start();
  arn = secrets.put('keys', JSON.stringify({ version: 1, master_key: 'generatedByTheStackAtDeploy0123456789abcdef' }));
  const out: string[] = [];
  await main(['keys', 'create', '--name', 'limited', '--rpm', '1000', '--budget', '50', '--secret', arn], {
    out: (l) => out.push(l),
    err: () => undefined,
  });
  key = out[0]!;
});
afterAll(async () => {
  await secrets.stop();
  await db.stop();
});

describe('fail open (the default), for a bounded time', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(config('fail_open_seconds: 2'), (e) => e.addEndpoint('chat-ep', openAIChatContainer()));
  });
  afterAll(() => h.close());

  it('keeps answering while the table hangs or refuses, none waiting past the deadline; then 503s; recovers with the table', async () => {
    expect((await timed(h)).outcome).toBe('ok');
    await db.setState('hang');
    const during = [await timed(h), await timed(h)];
    await db.setState('refuse');
    during.push(await timed(h));
    expect(during.map((r) => r.outcome)).toEqual(['ok', 'ok', 'ok']);
    // The first waited for one DynamoDB deadline (1 s); the next ones did not wait at all.
    for (const r of during) expect(r.ms).toBeLessThan(5000);
    // Keys are not usage: a wrong key is still refused.
    expect((await timed(h, 'sk-sg-wrong')).outcome).toBe('invalid_api_key');
    // Past fail_open_seconds, limits can no longer be vouched for: 503 with Retry-After, at once.
    await new Promise((r) => setTimeout(r, 2100));
    const closed = await timed(h);
    expect(closed).toMatchObject({ outcome: 'usage_store_unavailable', retryAfter: '5' });
    expect(closed.ms).toBeLessThan(5000);
    await db.setState('up');
    await new Promise((r) => setTimeout(r, 2100)); // the next probe of the table
    expect((await timed(h)).outcome).toBe('ok');
    await h.gateway.settled();
  }, 30_000);
});

describe('fail closed', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(config('when_unavailable: fail_closed'), (e) => e.addEndpoint('chat-ep', openAIChatContainer()));
  });
  afterAll(() => h.close());

  it('refuses rate-limited requests with 503 while the table cannot be reached, within the deadline', async () => {
    expect((await timed(h)).outcome).toBe('ok');
    await db.setState('hang');
    try {
      const r = await timed(h);
      expect(r.outcome).toBe('usage_store_unavailable');
      expect(r.ms).toBeLessThan(5000);
    } finally {
      await db.setState('up');
    }
  }, 30_000);
});
