import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { main } from '../../cli/sagegate.js';
import { dayOf } from '../../lambda/dynamodb/table-layout.js';
import { DynamoUsageStore } from '../../lambda/usage/dynamodb-store.js';
import { CloudFormationEmulator } from '../../local/emulators/cloudformation.js';
import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import { OpenAIUpstreamEmulator } from '../../local/emulators/openai-upstream.js';
import { SageMakerRuntimeEmulator } from '../../local/emulators/sagemaker-runtime.js';
import { SecretsManagerEmulator } from '../../local/emulators/secrets-manager.js';
import { environmentCredentials } from '../../local/emulators/sigv4-check.js';
import { type ChildServer, startServer, stopServers } from '../support/child-server.js';
import { type DynamoDbDouble, startDynamoDb } from '../support/dynamodb-double.js';
import { errorOf, type Harness, startHarness } from '../support/harness.js';

/**
 * Budgets and rate limits end to end: keys made with the admin CLI (Secrets Manager through the real
 * SDK), gateways as `npm start` child processes sharing one DynamoDB-protocol server (dynalite),
 * the official client as the caller, and `npx sagegate usage` reading back what was counted.
 */
const TABLE = 'sagegate-budgets-test';
const STACK_MASTER = 'generatedByTheStackAtDeploy0123456789abcdef';
/** Six words, six completion tokens: at $0.05 per output token, every answer costs $0.30. */
const REPLY = 'one two three four five six';
const secrets = new SecretsManagerEmulator();
const cloudformation = new CloudFormationEmulator();
const sagemaker = new SageMakerRuntimeEmulator(undefined, environmentCredentials());
let db: DynamoDbDouble;
let arn: string;
let configFile: string;
let sagemakerUrl: string;

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
const created = new Map<string, string>();
const newKey = async (...options: string[]) => {
  const result = await cli('keys', 'create', ...options, '--secret', arn);
  expect(result.code).toBe(0);
  created.set(options[options.indexOf('--name') + 1]!, result.out);
  return result.out;
};
const keyOf = async (name: string) => created.get(name)!;
const ask = [{ role: 'user' as const, content: 'Count to six' }];
const call = (url: string, key: string) =>
  new OpenAI({ baseURL: `${url}/v1`, apiKey: key, maxRetries: 0 }).chat.completions.create({ model: 'chat', messages: ask });
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
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = await secrets.start();
  process.env.AWS_ENDPOINT_URL_CLOUDFORMATION = await cloudformation.start();
  sagemaker.addEndpoint('chat-ep', openAIChatContainer({ reply: () => REPLY }));
  sagemakerUrl = await sagemaker.start();
  arn = secrets.put('SageGateApiKeys', JSON.stringify({ version: 1, master_key: STACK_MASTER }));
  cloudformation.addStack('SageGate', { Url: 'https://x.lambda-url.us-east-1.on.aws/', ApiKeysSecretArn: arn, UsageTableName: TABLE });
  configFile = join(mkdtempSync(join(tmpdir(), 'sagegate-budgets-')), 'sagegate.yaml');
  writeFileSync(
    configFile,
    `models:
  - { name: chat, endpoint: chat-ep, prices: { input_per_token: 0, output_per_token: 0.05 } }
usage: { table: ${TABLE} }
auth: { keys_secret: "${arn}", cache_ttl_seconds: 1 }
`,
  );
}, 30_000);
afterAll(async () => {
  stopServers();
  await sagemaker.stop();
  await secrets.stop();
  await cloudformation.stop();
  await db.stop();
});

describe("a LiteLLM config's budget (general_settings.max_budget: 100, a month)", () => {
  const upstream = new OpenAIUpstreamEmulator(openAIChatContainer({ reply: () => REPLY }));
  let h: Harness;
  beforeAll(async () => {
    const url = await upstream.start();
    // A migrated LiteLLM config as written, but with the `openai/` prefix (its bare `glm-4-flash` loads once the router
    // lands), without its literal api_key (refused: keys live in Secrets Manager), and with prices:
    // without them nothing has a cost, and no budget is ever reached.
    h = await startHarness(
      `
model_list:
  - model_name: glm4-flash
    litellm_params:
      model: openai/glm-4-flash
      api_base: ${url}
    model_info: { input_cost_per_token: 0, output_cost_per_token: 5 }
general_settings:
  max_budget: 100  # 每月最大预算（美元）
  master_key: your-master-key
`,
      () => undefined,
    );
  });
  afterAll(async () => {
    await h.close();
    await upstream.stop();
  });

  it("serves until $100 is spent this month, then answers 429 insufficient_quota in OpenAI's shape until the 1st", async () => {
    const client = h.client('your-master-key');
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) outcomes.push(await outcome(client.chat.completions.create({ model: 'glm4-flash', messages: ask })));
    // $30 an answer (6 tokens at $5): the fourth starts at $90, under budget, and ends at $120.
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'ok', 'insufficient_quota', 'insufficient_quota']);
    const refused = await errorOf(client.chat.completions.create({ model: 'glm4-flash', messages: ask }));
    expect(refused.status).toBe(429);
    expect(refused.error).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota' });
    expect(refused.message).toMatch(/spent \$120\.00 of its \$100 budget for the period that resets at \d{4}-\d\d-01T00:00:00\.000Z/);
    // Retrying cannot help until the period resets: the official SDKs are told not to.
    expect(refused.headers?.get('x-should-retry')).toBe('false');
    // Listing models costs nothing and still works.
    expect((await client.models.list()).data.map((m) => m.id)).toEqual(['glm4-flash']);
  });
});

describe('two gateway processes sharing one DynamoDB table', () => {
  let a: ChildServer;
  let b: ChildServer;
  beforeAll(async () => {
    const env = { AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: sagemakerUrl };
    [a, b] = await Promise.all([startServer(['--config', configFile], env), startServer(['--config', configFile], env)]);
  }, 60_000);

  it('say in their banner where usage is kept', () => {
    expect(a.output()).toContain(`usage: DynamoDB table ${TABLE}`);
    expect(b.output()).toContain(`usage: DynamoDB table ${TABLE}`);
  });

  it("hold one key's requests per minute together (429 rate_limit_exceeded with Retry-After)", async () => {
    const key = await newKey('--name', 'shared-rpm', '--rpm', '4');
    await new Promise((r) => setTimeout(r, 1100)); // the gateways' key cache TTL
    // Not across a minute boundary: the counters are per UTC minute.
    if (new Date().getUTCSeconds() > 45) await new Promise((r) => setTimeout(r, (61 - new Date().getUTCSeconds()) * 1000));
    const outcomes: string[] = [];
    for (let i = 0; i < 8; i++) outcomes.push(await outcome(call(i % 2 ? b.url : a.url, key)));
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'ok', 'rate_limit_exceeded', 'rate_limit_exceeded', 'rate_limit_exceeded', 'rate_limit_exceeded']);
    const limited = await errorOf(call(a.url, key));
    expect(Number(limited.headers?.get('retry-after'))).toBeGreaterThan(0);
  }, 90_000);

  it("hold one key's tokens per minute together (each answer's tokens count once it is metered)", async () => {
    const key = await newKey('--name', 'shared-tpm', '--tpm', '40');
    await new Promise((r) => setTimeout(r, 1100));
    if (new Date().getUTCSeconds() > 45) await new Promise((r) => setTimeout(r, (61 - new Date().getUTCSeconds()) * 1000));
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      outcomes.push(await outcome(call(i % 2 ? b.url : a.url, key)));
      await new Promise((r) => setTimeout(r, 150)); // the answer's tokens are written after it has gone out
    }
    // 13 tokens an answer (7 prompt, 6 completion): the fourth starts at 39 < 40.
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'ok', 'rate_limit_exceeded']);
  }, 90_000);

  it("hold one key's budget together: $1 buys four $0.30 answers, whichever process serves them", async () => {
    const key = await newKey('--name', 'shared-budget', '--budget', '1', '--budget-duration', '30d');
    await new Promise((r) => setTimeout(r, 1100));
    const outcomes: string[] = [];
    for (let i = 0; i < 8; i++) outcomes.push(await outcome(call(i % 2 ? b.url : a.url, key)));
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'ok', 'insufficient_quota', 'insufficient_quota', 'insufficient_quota', 'insufficient_quota']);
  });

  it('take a raised budget on the existing key (`keys update`): the same period, more to spend', async () => {
    const list = (await cli('keys', 'list', '--secret', arn)).out;
    const id = /key_[0-9a-f]{12}/.exec(list.split('\n').find((l) => l.includes('shared-budget'))!)![0];
    expect(await cli('keys', 'update', id, '--budget', '2', '--secret', arn)).toMatchObject({ code: 0, err: expect.stringContaining('a $2 budget') });
    await new Promise((r) => setTimeout(r, 1100));
    const key = await keyOf('shared-budget');
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) outcomes.push(await outcome(call(i % 2 ? b.url : a.url, key)));
    // $1.20 spent: three more answers ($1.50, $1.80, $2.10), then the budget is spent again.
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'insufficient_quota', 'insufficient_quota']);
  });

  it('`npx sagegate usage` reports what was sent: requests, tokens, cost and budget left per key and model', async () => {
    const { code, out } = await cli('usage', '--json', '--stack', 'SageGate');
    expect(code).toBe(0);
    const report = JSON.parse(out);
    const row = (name: string) => report.rows.find((r: { key_name?: string }) => r.key_name === name);
    const prompt = (await call(a.url, STACK_MASTER)).usage!.prompt_tokens;
    expect(row('shared-rpm')).toMatchObject({ model: 'chat', requests: 4, completion_tokens: 24, prompt_tokens: 4 * prompt, cost_usd: 1.2 });
    expect(row('shared-budget')).toMatchObject({ model: 'chat', requests: 7, completion_tokens: 42, cost_usd: 2.1 });
    const budget = report.budgets.find((x: { key_name?: string }) => x.key_name === 'shared-budget');
    expect(budget).toMatchObject({ scope: 'key', max_budget_usd: 2, budget_duration: '30d', spent_usd: 2.1, left_usd: 0 });
    expect(budget.period_start).toBe(`${dayOf(Date.now()).slice(0, 8)}01`);
  });

  it('runs as `npx sagegate usage`, finding the table from the stack, filtered by key and model', async () => {
    const { stdout } = await promisify(execFile)('npx', ['sagegate', 'usage', '--since', '1d', '--model', 'chat', '--stack', 'SageGate'], {
      env: { ...process.env, SAGEGATE_SILENT: '1' },
    });
    expect(stdout).toMatch(/KEY\s+NAME\s+MODEL\s+REQUESTS\s+PROMPT TOKENS\s+COMPLETION TOKENS\s+COST \(USD\)\s+BUDGET LEFT/);
    expect(stdout).toMatch(/shared-budget\s+chat\s+7\s+\d+\s+42\s+2\.1\d*\s+\$0\.00 of \$2/);
  }, 60_000);
});

describe("racing a key's last cent", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      `
models:
  - { name: chat, endpoint: chat-ep, prices: { input_per_token: 0, output_per_token: 0.005 } }
usage: { table: ${TABLE} }
auth: { keys_secret: "${arn}", cache_ttl_seconds: 1 }
`,
      (e) => e.addEndpoint('chat-ep', openAIChatContainer({ reply: () => REPLY })),
    );
  });
  afterAll(() => h.close());

  it('200 concurrent requests with one cent left overshoot by at most one answer ($0.03)', async () => {
    const key = await newKey('--name', 'last-cent', '--budget', '1');
    const id = /key_[0-9a-f]{12}/.exec((await cli('keys', 'list', '--secret', arn)).out.split('\n').find((l) => l.includes('last-cent'))!)![0];
    // $0.99 already spent today (by another container, say).
    const store = new DynamoUsageStore(TABLE);
    await store.add({
      day: dayOf(Date.now()),
      keyId: id,
      model: 'chat',
      servedBy: 'elsewhere',
      promptTokens: 0,
      completionTokens: 0,
      cost: 0.99,
      estimated: false,
    });
    await new Promise((r) => setTimeout(r, 1100));
    const client = h.client(key);
    const outcomes = await Promise.all(Array.from({ length: 200 }, () => outcome(client.chat.completions.create({ model: 'chat', messages: ask }))));
    await h.gateway.settled();
    const answered = outcomes.filter((o) => o === 'ok').length;
    expect(answered).toBeGreaterThanOrEqual(1);
    expect(outcomes.filter((o) => o !== 'ok').every((o) => o === 'insufficient_quota' || o === 'rate_limit_exceeded')).toBe(true);
    const spent = await store.spend(dayOf(Date.now()), id);
    // The documented bound: one request in flight per process when the limit is crossed.
    expect(spent).toBeLessThanOrEqual(1 + 0.03 + 1e-9);
    expect(answered).toBe(1);
  }, 60_000);
});

describe('an idle process admits on a copy of the spend no older than budget_refresh_seconds', () => {
  // Its own table: the gateway budget here must not see the other tests' spend.
  const REFRESH_TABLE = 'sagegate-budget-refresh-test';
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  let a: ChildServer;
  let b: ChildServer;
  const spentToday = (keyId?: string) => new DynamoUsageStore(REFRESH_TABLE).spend(dayOf(Date.now()), keyId);
  /** B answers once and so holds a copy of the spend, then idles; A spends the rest, a request every 0.55 s, until it refuses. */
  async function spendElsewhereWhileIdle(key: string, refusal = 'insufficient_quota'): Promise<string[]> {
    expect(await outcome(call(b.url, key))).toBe('ok');
    const fromA: string[] = [];
    while (fromA.at(-1) !== refusal && fromA.length < 10) {
      await pause(550);
      fromA.push(await outcome(call(a.url, key)));
    }
    // B, idle for well over budget_refresh_seconds: its copy is read again before it admits.
    await pause(2500);
    return [...fromA, await outcome(call(b.url, key)), await outcome(call(b.url, key))];
  }
  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sagegate-refresh-')), 'sagegate.yaml');
    writeFileSync(
      file,
      `models:
  - { name: chat, endpoint: chat-ep, prices: { input_per_token: 0, output_per_token: 0.05 } }
usage: { table: ${REFRESH_TABLE}, max_budget: 3.7, budget_duration: 1d, budget_refresh_seconds: 1 }
auth: { keys_secret: "${arn}", cache_ttl_seconds: 1 }
`,
    );
    const env = { AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: sagemakerUrl };
    [a, b] = await Promise.all([startServer(['--config', file], env), startServer(['--config', file], env)]);
  }, 60_000);

  it("a key's budget: $1 at $0.30 an answer, four answers in all, the idle process refuses the fifth", async () => {
    const key = await newKey('--name', 'idle-refresh', '--budget', '1', '--budget-duration', '1d');
    await pause(1100); // the gateways' key cache TTL
    // B: $0.30; A: $0.60, $0.90, $1.20, then the 429; B after its idle spell: the 429 too.
    expect(await spendElsewhereWhileIdle(key)).toEqual(['ok', 'ok', 'ok', 'insufficient_quota', 'insufficient_quota', 'insufficient_quota']);
    const id = /key_[0-9a-f]{12}/.exec((await cli('keys', 'list', '--secret', arn)).out.split('\n').find((l) => l.includes('idle-refresh'))!)![0];
    // Nobody was running when the limit was crossed: nothing past the answer that crossed it.
    expect(await spentToday(id)).toBeCloseTo(1.2, 9);
  }, 60_000);

  it("a key's tokens per minute: no copy is kept, so the idle process refuses once the other has used the minute's tokens", async () => {
    const key = await newKey('--name', 'idle-tpm', '--tpm', '40');
    await pause(1100);
    if (new Date().getUTCSeconds() > 45) await pause((61 - new Date().getUTCSeconds()) * 1000);
    // 13 tokens an answer: B 13, A 26, 39, 52 (the third starts at 39 < 40), then the 429s.
    expect(await spendElsewhereWhileIdle(key, 'rate_limit_exceeded')).toEqual([
      'ok',
      'ok',
      'ok',
      'rate_limit_exceeded',
      'rate_limit_exceeded',
      'rate_limit_exceeded',
    ]);
  }, 60_000);

  it("the gateway's budget: $3.70, the idle process refuses once the other has spent it", async () => {
    // $2.40 spent above; B: $2.70; A: $3.00, $3.30, $3.60, $3.90, then the 429; B: the 429.
    expect(await spendElsewhereWhileIdle(STACK_MASTER)).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
      'insufficient_quota',
      'insufficient_quota',
      'insufficient_quota',
    ]);
    expect(await spentToday()).toBeCloseTo(3.9, 9);
  }, 60_000);
});
