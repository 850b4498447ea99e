import { updateKey } from '../../cli/keys/key-commands.js';
import { ConfigError, parseConfig } from '../../config/load.js';
import { parseKeyDocument } from '../../lambda/auth/key-document.js';
import type { GatewayError } from '../../lambda/core/gateway-error.js';
import { dayOf } from '../../lambda/dynamodb/table-layout.js';
import { pricesOf } from '../../lambda/upstreams/index.js';
import { BudgetGuard } from '../../lambda/usage/budget-guard.js';
import { budgetPeriod, parseBudgetDuration } from '../../lambda/usage/budget-period.js';
import { decimal } from '../../lambda/usage/dynamodb-store.js';
import { PriceBook } from '../../lambda/usage/price-book.js';
import { StoreHealth } from '../../lambda/usage/store-health.js';
import { MemoryUsageStore } from '../../lambda/usage/usage-store.js';

function configError(text: string): string {
  try {
    parseConfig(text, 'test.yaml', {});
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe("budget periods in LiteLLM's vocabulary", () => {
  it.each([
    ['1mo', { kind: 'month' }],
    ['30d', { kind: 'month' }],
    ['monthly', { kind: 'month' }],
    ['7d', { kind: 'days', days: 7, align: 'week' }],
    ['1w', { kind: 'days', days: 7, align: 'week' }],
    ['weekly', { kind: 'days', days: 7, align: 'week' }],
    ['1d', { kind: 'days', days: 1, align: 'day' }],
    ['24h', { kind: 'days', days: 1, align: 'day' }],
    ['daily', { kind: 'days', days: 1, align: 'day' }],
    ['14d', { kind: 'days', days: 14, align: 'anchor' }],
    ['48h', { kind: 'days', days: 2, align: 'anchor' }],
  ])('%s', (text, kind) => expect(parseBudgetDuration(text)).toEqual(kind));

  it.each([
    ['2mo', /only 1mo/],
    ['1h', /whole days/],
    ['30m', /whole days/],
    ['0d', /zero/],
    ['soon', /not a duration/],
  ])('refuses %s', (text, message) => expect(parseBudgetDuration(text)).toMatch(message));

  it('resets calendar months on the 1st, weeks on Monday, days at midnight, other lengths from their anchor (UTC)', () => {
    const at = Date.parse('2026-12-31T23:59:59Z'); // a Thursday
    expect(budgetPeriod({ maxBudget: 1 }, at)).toEqual({ start: '2026-12-01', resetsAt: Date.parse('2027-01-01T00:00:00Z') });
    expect(budgetPeriod({ maxBudget: 1, duration: '30d' }, at).start).toBe('2026-12-01');
    expect(budgetPeriod({ maxBudget: 1, duration: '7d' }, at)).toEqual({ start: '2026-12-28', resetsAt: Date.parse('2027-01-04T00:00:00Z') });
    expect(budgetPeriod({ maxBudget: 1, duration: 'daily' }, at)).toEqual({ start: '2026-12-31', resetsAt: Date.parse('2027-01-01T00:00:00Z') });
    expect(budgetPeriod({ maxBudget: 1, duration: '14d', anchor: '2026-12-20' }, at)).toEqual({
      start: '2026-12-20',
      resetsAt: Date.parse('2027-01-03T00:00:00Z'),
    });
  });
});

describe('budgets and prices in the config', () => {
  it("takes general_settings.max_budget and LiteLLM's litellm_settings.max_budget with budget_duration", () => {
    const seed = (settings: string) =>
      parseConfig(`model_list: [{model_name: m, litellm_params: {model: sagemaker_chat/e}}]\n${settings}`, 'x', {}).usage.budget;
    expect(seed('general_settings: {max_budget: 100, master_key: k}')).toEqual({ maxBudget: 100 });
    expect(seed('litellm_settings: {max_budget: 50, budget_duration: 30d}')).toEqual({ maxBudget: 50, duration: '30d' });
    expect(parseConfig('models: [{name: m, endpoint: e}]\nusage: {max_budget: 10, budget_duration: 7d}').usage.budget).toEqual({
      maxBudget: 10,
      duration: '7d',
    });
  });

  it('takes per-token prices from model_info or litellm_params (LiteLLM) or prices (native)', () => {
    const litellm = parseConfig(
      `model_list:
  - {model_name: a, litellm_params: {model: sagemaker_chat/e}, model_info: {input_cost_per_token: 0.000001, output_cost_per_token: 0.000002}}
  - {model_name: b, litellm_params: {model: sagemaker_chat/e, output_cost_per_token: 0.5}}
  - {model_name: c, litellm_params: {model: sagemaker_chat/e}}`,
    );
    expect(litellm.models.map((m) => m.prices)).toEqual([
      { inputPerToken: 0.000001, outputPerToken: 0.000002 },
      { inputPerToken: 0, outputPerToken: 0.5 },
      undefined,
    ]);
    expect(parseConfig('models: [{name: m, endpoint: e, prices: {input_per_token: 0.1, output_per_token: 0.2}}]').models[0]!.prices).toEqual({
      inputPerToken: 0.1,
      outputPerToken: 0.2,
    });
  });

  it('names the path of a budget or price of the wrong type or sign', () => {
    expect(configError('models: [{name: m, endpoint: e}]\nusage: {max_budget: -5}')).toContain('usage.max_budget: a budget must be more than 0');
    expect(configError('models: [{name: m, endpoint: e}]\nusage: {max_budget: "lots"}')).toContain('usage.max_budget: a budget is a number');
    expect(configError('models: [{name: m, endpoint: e}]\nusage: {max_budget: 5, budget_duration: 1h}')).toContain('usage.budget_duration:');
    expect(configError('models: [{name: m, endpoint: e}]\nusage: {budget_duration: 7d}')).toContain(
      'usage.budget_duration: budget_duration needs max_budget',
    );
    expect(configError('models: [{name: m, endpoint: e, prices: {input_per_token: -1}}]')).toContain(
      'models[0].prices.input_per_token: a price cannot be negative',
    );
    const litellm = (extra: string) => configError(`model_list: [{model_name: m, litellm_params: {model: sagemaker_chat/e}}]\n${extra}`);
    expect(litellm('general_settings: {max_budget: 0}')).toContain('general_settings.max_budget: a budget must be more than 0');
    expect(litellm('litellm_settings: {max_budget: 10, budget_duration: 2mo}')).toContain('litellm_settings.budget_duration:');
    expect(litellm('litellm_settings: {max_budget: 10}\ngeneral_settings: {max_budget: 10}')).toContain(
      'general_settings.max_budget: the budget is also set',
    );
    expect(
      configError('model_list: [{model_name: m, litellm_params: {model: sagemaker_chat/e}, model_info: {output_cost_per_token: "cheap"}}]'),
    ).toContain('model_list[0].model_info.output_cost_per_token: a price is a number');
  });
});

describe('key budgets', () => {
  const doc = (key: object) => JSON.stringify({ version: 1, revision: 1, master_key_sha256: 'a'.repeat(64), keys: [key] });
  const base = { id: 'key_0123456789ab', name: 'k', sha256: 'b'.repeat(64), hint: 'sk-sg-…abcd', models: '*', created_at: '2026-01-01T00:00:00Z' };

  it('validates a key’s budget, period and tpm', () => {
    expect(parseKeyDocument(doc({ ...base, budget: 20, budget_duration: '30d', tpm: 1000 })).keys[0]).toMatchObject({ budget: 20, tpm: 1000 });
    expect(() => parseKeyDocument(doc({ ...base, budget: -1 }))).toThrow(/keys.0.budget/);
    expect(() => parseKeyDocument(doc({ ...base, budget: 5, budget_duration: '1h' }))).toThrow(/keys.0.budget_duration/);
  });

  it('updates limits on an existing key; a new budget starts its periods today', () => {
    const document = parseKeyDocument(doc({ ...base, rpm: 10 }));
    const now = new Date('2026-03-04T05:06:07Z');
    const { record } = updateKey(document, base.id, { rpm: null, budget: 20, budgetDuration: '14d' }, now);
    expect(record).toMatchObject({ budget: 20, budget_duration: '14d', budget_start: '2026-03-04' });
    expect(record.rpm).toBeUndefined();
    expect(updateKey(document, base.id, { budget: null }, now).record.budget_duration).toBeUndefined();
  });
});

describe('cost and counters', () => {
  it('costs an answer at the prices of the deployment that served it; none without prices', () => {
    const book = new PriceBook([
      { id: 'a-1', name: 'a', prices: { inputPerToken: 0.000001, outputPerToken: 0.000003 } },
      { id: 'b', name: 'b' },
    ] as never);
    expect(book.cost('a-1', 1000, 100)).toBeCloseTo(0.0013, 12);
    expect(book.cost('b', 1000, 100)).toBeUndefined();
  });

  it("prices a hosted provider's model at its list price unless the config prices it; never a SageMaker endpoint or another server", () => {
    const config = parseConfig(
      `
model_list:
  - { model_name: gpt-4, litellm_params: { model: gpt-4, api_key: k } }
  - { model_name: claude-3, litellm_params: { model: claude-3-opus-20240229, api_key: k } }
  - { model_name: deepseek, litellm_params: { model: deepseek/deepseek-chat, api_key: k } }
  - { model_name: mine, litellm_params: { model: gpt-4o, api_key: k }, model_info: { input_cost_per_token: 0.5, output_cost_per_token: 1 } }
  - { model_name: free, litellm_params: { model: gpt-4o, api_key: k }, model_info: { input_cost_per_token: 0, output_cost_per_token: 0 } }
  - { model_name: vllm, litellm_params: { model: openai/gpt-4, api_base: "http://vllm.internal/v1" } }
  - { model_name: glm, litellm_params: { model: glm-4-flash, api_base: "http://glm.internal/v1" } }
  - { model_name: endpoint, litellm_params: { model: sagemaker_chat/gpt-4 } }
  - { model_name: future, litellm_params: { model: gpt-99, api_key: k } }
`,
      'prices.yaml',
      {},
    );
    const book = new PriceBook(config.models, pricesOf);
    expect(book.cost('gpt-4', 1_000_000, 1000)).toBeCloseTo(30 + 0.06, 9);
    expect(book.cost('claude-3', 1_000_000, 1000)).toBeCloseTo(15 + 0.075, 9);
    expect(book.cost('deepseek', 1_000_000, 1_000_000)).toBeCloseTo(0.28 + 0.42, 9);
    expect(book.cost('mine', 2, 1)).toBeCloseTo(2, 9);
    expect(book.cost('free', 1000, 1000)).toBe(0);
    for (const unpriced of ['vllm', 'glm', 'endpoint', 'future']) expect(book.cost(unpriced, 1000, 1000)).toBeUndefined();
  });

  it('writes costs as exact decimals', () => {
    expect(decimal(0.1 + 0.2)).toBe('0.3');
    expect(decimal(3)).toBe('3');
    expect(decimal(0.0000013)).toBe('0.0000013');
  });
});

describe('a budget racing its limit in one process', () => {
  const health = new StoreHealth({ whenUnavailable: 'fail_open', failOpenMs: 1000 });

  it('lets requests near the limit start only while what is left covers those running, and refuses once spent', async () => {
    const store = new MemoryUsageStore();
    await store.add({
      day: dayOf(Date.now()),
      keyId: 'k',
      model: 'm',
      servedBy: 'm',
      promptTokens: 0,
      completionTokens: 0,
      cost: 9.95,
      estimated: false,
    });
    const guard = new BudgetGuard(store, health, { refreshMs: 60_000 });
    const scope = { id: 'k', keyId: 'k', spec: { maxBudget: 10 } };
    const first = await guard.admit(scope);
    let secondAdmitted = false;
    const second = guard.admit(scope).then(
      (hold) => {
        secondAdmitted = true;
        return hold;
      },
      (error: GatewayError) => error,
    );
    await new Promise((r) => setTimeout(r, 20));
    // $0.05 left and one request running whose cost is unknown: the second waits.
    expect(secondAdmitted).toBe(false);
    const answered = first.settle(0.1);
    await store.add({
      day: dayOf(Date.now()),
      keyId: 'k',
      model: 'm',
      servedBy: 'm',
      promptTokens: 0,
      completionTokens: 0,
      cost: 0.1,
      estimated: false,
    });
    answered.written();
    expect(await second).toMatchObject({ status: 429, code: 'insufficient_quota' });
    expect(guard.known(scope)).toBeGreaterThanOrEqual(10.05 - 1e-9);
  });
});
