import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { createUsage } from '../../lambda/usage/usage.js';
import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import { SageMakerRuntimeEmulator } from '../../local/emulators/sagemaker-runtime.js';
import { environmentCredentials } from '../../local/emulators/sigv4-check.js';
import { type ChildServer, startServer, stopServers } from '../support/child-server.js';
import { type DynamoDbDouble, startDynamoDb } from '../support/dynamodb-double.js';
import { errorOf, type Harness, startHarness } from '../support/harness.js';

/**
 * Per-deployment `rpm` / `tpm` (LiteLLM's `litellm_params.rpm` / `tpm`), held across processes by the
 * usage table's per-minute counters: a deployment over its limit this minute is skipped like a cooling
 * one, fallbacks are tried, and when nothing is left the client gets 429 `rate_limit_exceeded`.
 */
const TABLE = 'sagegate-deployment-limits-test';
const MASTER = 'sk-limits-master';
const ask = [{ role: 'user' as const, content: 'Count to six' }];
let db: DynamoDbDouble;

/** The counters are per UTC minute: start a burst with enough of the minute left for it. */
async function awayFromMinuteEnd(secondsNeeded = 20) {
  const left = 60 - new Date().getUTCSeconds();
  if (left < secondsNeeded) await new Promise((r) => setTimeout(r, (left + 1) * 1000));
}

const outcome = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String((error as { status?: number }).status);
  }
};

beforeAll(async () => {
  db = await startDynamoDb();
  process.env.AWS_ENDPOINT_URL_DYNAMODB = db.url;
  await db.createTable(TABLE);
});
afterAll(async () => {
  stopServers();
  await db.stop();
});

describe('in one gateway', () => {
  let h: Harness;
  const calls = (endpoint: string, since = 0) => h.emulator.invocations.slice(since).filter((i) => i.endpoint === endpoint).length;
  beforeAll(async () => {
    h = await startHarness(
      `
model_list:
  - { model_name: pair, litellm_params: { model: sagemaker_chat/pair-a, rpm: 2 }, model_info: { id: pair-a } }
  - { model_name: pair, litellm_params: { model: sagemaker_chat/pair-b, rpm: 3 }, model_info: { id: pair-b } }
  - { model_name: capped, litellm_params: { model: sagemaker_chat/capped, rpm: 2 } }
  - { model_name: spill, litellm_params: { model: sagemaker_chat/spill, rpm: 1 } }
  - { model_name: overflow, litellm_params: { model: sagemaker_chat/overflow } }
  - { model_name: free, litellm_params: { model: sagemaker_chat/free } }
  - { model_name: tokens, litellm_params: { model: sagemaker_chat/tokens, tpm: 30 } }
  - { model_name: roomy, litellm_params: { model: sagemaker_chat/roomy, rpm: 100 } }
router_settings:
  fallbacks: [{ spill: [overflow] }]
general_settings:
  master_key: ${MASTER}
`,
      (e) => {
        for (const endpoint of ['pair-a', 'pair-b', 'capped', 'spill', 'overflow', 'free', 'tokens', 'roomy'])
          e.addEndpoint(endpoint, openAIChatContainer({ reply: () => 'one two three four five six' }));
      },
      // The LiteLLM form has no usage table key: the table is given as the stack gives it to the function.
      { overrides: { usage: createUsage({ usage: { table: TABLE }, models: [] }) } },
    );
    await awayFromMinuteEnd();
  }, 60_000);
  afterAll(() => h.close());

  it("sends a group's requests only to deployments under their rpm this minute, then answers 429 rate_limit_exceeded with Retry-After", async () => {
    const client = h.client(MASTER);
    const served: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { response } = await client.chat.completions.create({ model: 'pair', messages: ask }).withResponse();
      served.push(response.headers.get('x-sagegate-deployment')!);
    }
    // simple-shuffle weighs them by rpm, and none goes past its own.
    expect(served.filter((d) => d === 'pair-a')).toHaveLength(2);
    expect(served.filter((d) => d === 'pair-b')).toHaveLength(3);
    expect([calls('pair-a'), calls('pair-b')]).toEqual([2, 3]);
    const limited = await errorOf(client.chat.completions.create({ model: 'pair', messages: ask }));
    expect(limited.status).toBe(429);
    expect(limited.error).toMatchObject({ code: 'rate_limit_exceeded' });
    expect(limited.message).toContain("model 'pair'");
    const retryAfter = Number(limited.headers?.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect([calls('pair-a'), calls('pair-b')]).toEqual([2, 3]);
    const health = await (await fetch(`${h.gateway.url}/health/models`, { headers: { authorization: `Bearer ${MASTER}` } })).json();
    expect(health.data.filter((d: { model: string }) => d.model === 'pair')).toEqual([
      expect.objectContaining({ deployment: 'pair-a', state: 'rate_limited', rpm: 2 }),
      expect.objectContaining({ deployment: 'pair-b', state: 'rate_limited', rpm: 3 }),
    ]);
  });

  it('falls back to the next group when every deployment of one is at its limit', async () => {
    const client = h.client(MASTER);
    const first = await client.chat.completions.create({ model: 'spill', messages: ask }).withResponse();
    expect(first.response.headers.get('x-sagegate-deployment')).toBe('spill');
    const second = await client.chat.completions.create({ model: 'spill', messages: ask }).withResponse();
    expect(second.data.model).toBe('spill');
    expect(second.response.headers.get('x-sagegate-fallback')).toBe('overflow');
    expect(calls('spill')).toBe(1);
  });

  it('counts chat, Responses and legacy completions alike against a deployment’s rpm', async () => {
    const client = h.client(MASTER);
    await client.chat.completions.create({ model: 'capped', messages: ask });
    await client.responses.create({ model: 'capped', input: 'Count to six' });
    const refused = await errorOf(client.completions.create({ model: 'capped', prompt: 'def fib(n):' }));
    expect(refused.status).toBe(429);
    expect(refused.error).toMatchObject({ code: 'rate_limit_exceeded' });
    expect(calls('capped')).toBe(2);
  });

  it("skips a deployment once this minute's tokens (counted as answers are metered) reach its tpm", async () => {
    const client = h.client(MASTER);
    const outcomes: string[] = [];
    let tokens = 0;
    for (let i = 0; i < 4; i++) {
      const result = await outcome(
        client.chat.completions.create({ model: 'tokens', messages: ask }).then((answer) => {
          tokens += answer.usage!.total_tokens;
        }),
      );
      outcomes.push(result);
      await h.gateway.settled();
    }
    // 13 tokens an answer: the third starts at 26 < 30 and ends at 39; the fourth finds the minute spent.
    expect(tokens).toBe(39);
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'rate_limit_exceeded']);
  });

  it('costs no DynamoDB call for a deployment without rpm or tpm (the usage row only), one conditional write for one with', async () => {
    const client = h.client(MASTER);
    await client.chat.completions.create({ model: 'free', messages: ask });
    await h.gateway.settled();
    const before = new Map(db.calls);
    await client.chat.completions.create({ model: 'free', messages: ask });
    await h.gateway.settled();
    const delta = (op: string, since = before) => (db.calls.get(op) ?? 0) - (since.get(op) ?? 0);
    expect([delta('UpdateItem'), delta('GetItem'), delta('Query')]).toEqual([1, 0, 0]);
    const limited = new Map(db.calls);
    await client.chat.completions.create({ model: 'roomy', messages: ask });
    await h.gateway.settled();
    expect([delta('UpdateItem', limited), delta('GetItem', limited), delta('Query', limited)]).toEqual([2, 0, 0]);
    // Over its limit, a deployment is skipped without asking the table again until its minute ends.
    const again = new Map(db.calls);
    await errorOf(client.chat.completions.create({ model: 'pair', messages: ask }));
    expect(delta('UpdateItem', again)).toBe(0);
  });
});

describe('without a table (npm start keeps usage in memory)', () => {
  it("holds a deployment's rpm within the process", async () => {
    const h = await startHarness('models: [{ name: solo, endpoint: solo-ep, rpm: 1 }]', (e) => e.addEndpoint('solo-ep', openAIChatContainer()));
    try {
      await awayFromMinuteEnd(5);
      const before = new Map(db.calls);
      expect(await outcome(h.client().chat.completions.create({ model: 'solo', messages: ask }))).toBe('ok');
      expect(await outcome(h.client().chat.completions.create({ model: 'solo', messages: ask }))).toBe('rate_limit_exceeded');
      expect(db.calls).toEqual(before);
    } finally {
      await h.close();
    }
  }, 30_000);
});

describe('two gateway processes sharing one DynamoDB table', () => {
  let a: ChildServer;
  let b: ChildServer;
  const sagemaker = new SageMakerRuntimeEmulator(undefined, environmentCredentials());
  beforeAll(async () => {
    sagemaker.addEndpoint('shared-ep', openAIChatContainer({ reply: () => 'one two three four five six' }));
    sagemaker.addEndpoint('spare-ep', openAIChatContainer({ reply: () => 'from the spare' }));
    const url = await sagemaker.start();
    const configFile = join(mkdtempSync(join(tmpdir(), 'sagegate-limits-')), 'sagegate.yaml');
    writeFileSync(
      configFile,
      `models:
  - { name: shared, endpoint: shared-ep, weight: 1, rpm: 3 }
  - { name: shared, endpoint: spare-ep, weight: 0, rpm: 2 }
usage: { table: ${TABLE} }
auth: { master_key: ${MASTER} }
`,
    );
    const env = { AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: url };
    [a, b] = await Promise.all([startServer(['--config', configFile], env), startServer(['--config', configFile], env)]);
    await awayFromMinuteEnd();
  }, 60_000);
  afterAll(async () => {
    stopServers();
    await sagemaker.stop();
  });

  it("hold one deployment's rpm together: the group moves to its other deployment, then answers 429 in both", async () => {
    const clients = [a, b].map((s) => new OpenAI({ baseURL: `${s.url}/v1`, apiKey: MASTER, maxRetries: 0 }));
    const served: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { response } = await clients[i % 2]!.chat.completions.create({ model: 'shared', messages: ask }).withResponse();
      served.push(response.headers.get('x-sagegate-deployment')!);
    }
    // Weight 0 keeps the spare idle while the first has room: three requests in all, across both processes.
    expect(served).toEqual(['shared-1', 'shared-1', 'shared-1', 'shared-2', 'shared-2']);
    expect(sagemaker.invocations.filter((i) => i.endpoint === 'shared-ep')).toHaveLength(3);
    for (const client of clients) {
      const limited = await errorOf(client.chat.completions.create({ model: 'shared', messages: ask }));
      expect(limited.status).toBe(429);
      expect(limited.error).toMatchObject({ code: 'rate_limit_exceeded' });
      expect(Number(limited.headers?.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(sagemaker.invocations).toHaveLength(5);
  }, 30_000);
});
