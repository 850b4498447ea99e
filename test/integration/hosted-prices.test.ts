import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { main } from '../../cli/sagegate.js';
import { parseConfig } from '../../config/load.js';
import { dayOf } from '../../lambda/dynamodb/table-layout.js';
import { pricesOf } from '../../lambda/upstreams/index.js';
import { DynamoUsageStore } from '../../lambda/usage/dynamodb-store.js';
import { createUsage } from '../../lambda/usage/usage.js';
import { OpenAIUpstreamEmulator } from '../../local/emulators/openai-upstream.js';
import type { Container } from '../../local/emulators/sagemaker-runtime.js';
import { startServer, stopServers } from '../support/child-server.js';
import { type DynamoDbDouble, startDynamoDb } from '../support/dynamodb-double.js';
import { errorOf, type Harness, startHarness } from '../support/harness.js';

/**
 * A migrated LiteLLM config, verbatim: GLM-4 (unreachable here) with gpt-4 and claude-3 as fallbacks
 * and a $100 monthly budget. LiteLLM costs gpt-4 and claude-3-opus from its price map with no prices in
 * the config; so does sagegate, from the hosted providers' list prices, and the budget then holds.
 * The providers are local stand-ins (LiteLLM's OPENAI_API_BASE / ANTHROPIC_API_BASE move them) that
 * report two million prompt tokens an answer, so that $100 is reached in a few requests.
 */
const FIXTURE = fileURLToPath(new URL('../fixtures/configs/litellm-fallbacks.yaml', import.meta.url));
const TABLE = 'sagegate-hosted-prices-test';
const PROMPT_TOKENS = 2_000_000;

/** A provider's chat answer with the usage it bills: 2,000,000 prompt tokens, 4 completion tokens. */
const provider =
  (text: string): Container =>
  (invocation) => {
    const body = JSON.parse(invocation.body.toString());
    return {
      body: {
        id: 'chatcmpl-standin',
        object: 'chat.completion',
        created: 1,
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
        usage: { prompt_tokens: PROMPT_TOKENS, completion_tokens: 4, total_tokens: PROMPT_TOKENS + 4 },
      },
    };
  };

// LiteLLM's prices for these two (model_prices_and_context_window.json; docs/wire-facts.md §10).
const GPT_4 = PROMPT_TOKENS * 0.00003 + 4 * 0.00006; // $60.00024
const CLAUDE_3_OPUS = PROMPT_TOKENS * 0.000015 + 4 * 0.000075; // $30.0003

let db: DynamoDbDouble;
let h: Harness;
const openai = new OpenAIUpstreamEmulator(provider('from gpt-4'), 'sk-your-openai-key');
const anthropic = new OpenAIUpstreamEmulator(provider('from claude-3'), 'sk-ant-your-anthropic-key');

beforeAll(async () => {
  db = await startDynamoDb();
  process.env.AWS_ENDPOINT_URL_DYNAMODB = db.url;
  await db.createTable(TABLE);
  const [openaiUrl, anthropicUrl] = await Promise.all([openai.start(), anthropic.start()]);
  const env = { OPENAI_API_BASE: openaiUrl, ANTHROPIC_API_BASE: anthropicUrl.replace(/\/v1$/, '') };
  const yaml = readFileSync(FIXTURE, 'utf8');
  // The config as written; its usage kept in a DynamoDB table (as the stack gives one to the function), so the CLI can read it.
  const config = parseConfig(yaml, FIXTURE, { ...process.env, ...env });
  const usage = createUsage({ models: config.models, usage: { ...config.usage, table: TABLE } }, undefined, pricesOf);
  h = await startHarness(yaml, () => undefined, { env, overrides: { usage } });
});
afterAll(async () => {
  await h.close();
  await Promise.all([openai.stop(), anthropic.stop()]);
  await db.stop();
});

it('costs answers gpt-4 and claude-3 serve for the GLM group at their list prices, holds its $100 budget, and `sagegate usage` shows it', async () => {
  const client = h.client('your-master-key');
  const ask = () => client.chat.completions.create({ model: 'glm4-flash', messages: [{ role: 'user', content: 'what llm are you' }] }).withResponse();
  const first = await ask();
  expect(first.response.headers.get('x-sagegate-fallback')).toBe('gpt-4');
  await h.gateway.settled();
  await openai.stop();
  // gpt-4 gone too: claude-3, the next in the chain.
  const second = await ask();
  expect(second.response.headers.get('x-sagegate-fallback')).toBe('claude-3');
  await h.gateway.settled();

  const rows = await new DynamoUsageStore(TABLE).rows(dayOf(Date.now()));
  const byDeployment = Object.fromEntries(rows.map((r) => [r.served_by, r]));
  expect(byDeployment['gpt-4']).toMatchObject({ model: 'glm4-flash', requests: 1, unpriced_requests: 0 });
  expect(byDeployment['gpt-4']!.cost).toBeCloseTo(GPT_4, 9);
  expect(byDeployment['claude-3']).toMatchObject({ model: 'glm4-flash', requests: 1, unpriced_requests: 0 });
  expect(byDeployment['claude-3']!.cost).toBeCloseTo(CLAUDE_3_OPUS, 9);

  // $90.0005 spent: one more starts under the budget and passes it; then the budget is spent.
  await ask();
  const refused = await errorOf(ask());
  expect(refused.status).toBe(429);
  expect(refused.error).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota' });
  expect(refused.message).toMatch(/spent \$120\.00 of its \$100 budget/);

  const out: string[] = [];
  // No key store here (the config holds its master key); the stack lookup finds nothing to read.
  process.env.AWS_ENDPOINT_URL_CLOUDFORMATION = 'http://127.0.0.1:9';
  const code = await main(['usage', '--table', TABLE, '--json', '--config', FIXTURE], { out: (l) => out.push(l), err: () => undefined });
  delete process.env.AWS_ENDPOINT_URL_CLOUDFORMATION;
  expect(code).toBe(0);
  const report = JSON.parse(out.join('\n'));
  expect(report.rows).toEqual([expect.objectContaining({ key: 'master', model: 'glm4-flash', requests: 3, unpriced_requests: 0 })]);
  expect(report.rows[0].cost_usd).toBeCloseTo(GPT_4 + 2 * CLAUDE_3_OPUS, 4);
  expect(report.notes.join(' ')).not.toContain('no prices');
  expect(report.budgets).toEqual([expect.objectContaining({ scope: 'gateway', max_budget_usd: 100, left_usd: 0 })]);
});

it('holds the budget with the config alone too (npm start keeps usage in memory)', async () => {
  const gpt = new OpenAIUpstreamEmulator(provider('from gpt-4'), 'sk-your-openai-key');
  const url = await gpt.start();
  const local = await startHarness(readFileSync(FIXTURE, 'utf8'), () => undefined, { env: { OPENAI_API_BASE: url } });
  try {
    const client = local.client('your-master-key');
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      try {
        await client.chat.completions.create({ model: 'glm4-flash', messages: [{ role: 'user', content: 'hi' }] });
        outcomes.push('ok');
      } catch (error) {
        outcomes.push((error as { code?: string }).code ?? 'error');
      }
    }
    // $60 an answer at gpt-4's list price: the second starts at $60 and ends at $120.
    expect(outcomes).toEqual(['ok', 'ok', 'insufficient_quota']);
  } finally {
    await local.close();
    await gpt.stop();
  }
});

it('says at start that the budget counts the hosted models’ list prices (no "never reached" warning)', async () => {
  try {
    const server = await startServer(['--config', FIXTURE], { SAGEGATE_SILENT: '' });
    expect(server.output()).toContain('budget: $100 per calendar month (1mo) for the whole gateway');
    expect(server.output()).not.toContain('never reached');
  } finally {
    stopServers();
  }
}, 30_000);
