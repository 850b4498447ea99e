import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { formatReport, usageReport } from '../../cli/usage/usage-report.js';
import { parseConfig } from '../../config/load.js';
import type { Authenticator } from '../../lambda/auth/authenticator.js';
import { dayOf } from '../../lambda/dynamodb/table-layout.js';
import { DynamoUsageStore } from '../../lambda/usage/dynamodb-store.js';
import { teiContainer } from '../../local/emulators/embedding-containers.js';
import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import type { Container } from '../../local/emulators/sagemaker-runtime.js';
import { SageMakerRuntimeEmulator } from '../../local/emulators/sagemaker-runtime.js';
import { environmentCredentials } from '../../local/emulators/sigv4-check.js';
import { buildHandlerBundle } from '../support/build-handler-bundle.js';
import { type DynamoDbDouble, startDynamoDb } from '../support/dynamodb-double.js';
import { errorOf, type Harness, startHarness } from '../support/harness.js';
import { type Lambda, startLambda } from '../support/lambda-runtime-client.js';

/**
 * The seams between metering (issue 12), the router (issue 11) and the Responses API and legacy
 * completions (issue 13): every route that calls a model is metered, budgeted and limited the same
 * way, whichever deployment or fallback serves it. The official client calls; rows are read back
 * from a real DynamoDB-protocol server (dynalite).
 */
const TABLE = 'sagegate-routes-usage-test';
const REPLY = 'one two three four five six';
const CHEAP = { input: 0.000001, output: 0.000002 };
const DEAR = { input: 0.00001, output: 0.00002 };
const chunk = (content: string) =>
  `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
/** Always a 500: a deployment whose group falls back. */
const broken: Container = () => ({ status: 500, body: { object: 'error', message: 'CUDA error: an illegal memory access', code: 500 } });
/** A first word, then a long silence (a model thinking), then the rest. */
const thinker: Container = () => ({ stream: [chunk('Hmm.'), { delayMs: 4000 }, chunk(' Done.'), 'data: [DONE]\n\n'] });

/** A key per test, so that each test reads its own rows; `sk-poor*` keys have a budget of a ten-thousandth of a cent. */
const keys: Authenticator = {
  enabled: true,
  warm: () => undefined,
  authenticate: async (key) => ({
    keyId: `key-${key?.replace(/^sk-/, '')}`,
    ...(key?.startsWith('sk-poor') && { budget: { maxBudget: 0.000001, duration: '1mo' } }),
  }),
};

let db: DynamoDbDouble;
let h: Harness;
const store = new DynamoUsageStore(TABLE);
const rowsOf = async (keyId: string) => store.rows(dayOf(Date.now()), keyId);
const cost = (prices: typeof CHEAP, prompt: number, completion: number) => prompt * prices.input + completion * prices.output;

beforeAll(async () => {
  db = await startDynamoDb();
  process.env.AWS_ENDPOINT_URL_DYNAMODB = db.url;
  await db.createTable(TABLE);
  h = await startHarness(
    `
models:
  - { name: chat, endpoint: chat-ep, prices: { input_per_token: ${CHEAP.input}, output_per_token: ${CHEAP.output} } }
  - { name: main, endpoint: broken-ep, prices: { input_per_token: ${CHEAP.input}, output_per_token: ${CHEAP.output} } }
  - { name: backup, endpoint: backup-ep, prices: { input_per_token: ${DEAR.input}, output_per_token: ${DEAR.output} } }
  - { name: thinker, endpoint: thinker-ep }
  - { name: embed-main, endpoint: broken-ep, dialect: tei }
  - { name: embed-backup, endpoint: embed-ep, dialect: tei, prices: { input_per_token: 0.001, output_per_token: 0 } }
router:
  fallbacks: [{ main: [backup] }, { embed-main: [embed-backup] }]
gateway: { keepalive_seconds: 1 }
usage: { table: ${TABLE} }
`,
    (e) => {
      e.addEndpoint('chat-ep', openAIChatContainer({ reply: () => REPLY }));
      e.addEndpoint('backup-ep', openAIChatContainer({ reply: () => REPLY }));
      e.addEndpoint('broken-ep', broken);
      e.addEndpoint('thinker-ep', thinker);
      e.addEndpoint('embed-ep', teiContainer());
    },
    { overrides: { auth: keys } },
  );
});
afterAll(async () => {
  await h.close();
  await db.stop();
});

describe('the Responses API and legacy completions are metered like chat', () => {
  it('counts every Responses answer (whole or streamed, stored or not) in one row per key, model and deployment, with its cost', async () => {
    const client = h.client('sk-responses');
    const answers = [
      await client.responses.create({ model: 'chat', input: 'Count to six' }),
      await client.responses.create({ model: 'chat', input: 'Count to six', store: false }),
      await client.responses.stream({ model: 'chat', input: 'Count to six' }).finalResponse(),
      await client.responses.stream({ model: 'chat', input: 'Count to six', store: false }).finalResponse(),
    ];
    expect(answers.map((a) => (a as { store?: boolean }).store)).toEqual([true, false, true, false]);
    await h.gateway.settled();
    const input = answers.reduce((n, a) => n + a.usage!.input_tokens, 0);
    const output = answers.reduce((n, a) => n + a.usage!.output_tokens, 0);
    expect(output).toBe(4 * 6);
    const [row, ...others] = await rowsOf('key-responses');
    expect(others).toEqual([]);
    expect(row).toMatchObject({
      model: 'chat',
      served_by: 'chat',
      requests: 4,
      prompt_tokens: input,
      completion_tokens: output,
      unpriced_requests: 0,
      by_api: { responses: 4 },
    });
    expect(row!.cost).toBeCloseTo(cost(CHEAP, input, output), 12);
  });

  it('counts legacy completions, whole and streamed', async () => {
    const client = h.client('sk-completions');
    const whole = await client.completions.create({ model: 'chat', prompt: 'def fib(n):', max_tokens: 20 });
    let streamed: { prompt_tokens: number; completion_tokens: number } | undefined;
    const stream = await client.completions.create({
      model: 'chat',
      prompt: 'def fib(n):',
      max_tokens: 20,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const part of stream) streamed = part.usage ?? streamed;
    await h.gateway.settled();
    expect(streamed).toEqual(whole.usage);
    const [row, ...others] = await rowsOf('key-completions');
    expect(others).toEqual([]);
    expect(row).toMatchObject({
      model: 'chat',
      served_by: 'chat',
      requests: 2,
      prompt_tokens: 2 * whole.usage!.prompt_tokens,
      completion_tokens: 2 * whole.usage!.completion_tokens,
      by_api: { completions: 2 },
    });
    expect(row!.cost).toBeCloseTo(2 * cost(CHEAP, whole.usage!.prompt_tokens, whole.usage!.completion_tokens), 12);
  });

  it('says on each row which API its requests came through: one key on chat completions, Responses and Messages', async () => {
    const client = h.client('sk-apis');
    await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'Count to six' }] });
    await client.responses.create({ model: 'chat', input: 'Count to six' });
    for (const stream of [false, true]) {
      const messages = await h.post(
        '/v1/messages',
        { model: 'chat', max_tokens: 50, stream, messages: [{ role: 'user', content: 'Count to six' }] },
        { 'x-api-key': 'sk-apis', 'anthropic-version': '2023-06-01' },
      );
      expect(messages.status).toBe(200);
      await messages.text();
    }
    await h.gateway.settled();
    const [row, ...others] = await rowsOf('key-apis');
    expect(others).toEqual([]);
    expect(row).toMatchObject({ model: 'chat', requests: 4, by_api: { chat_completions: 1, responses: 1, messages: 2 } });
    const report = await usageReport(store, { since: '1d', key: 'key-apis' });
    expect(report.rows).toEqual([expect.objectContaining({ requests: 4, requests_by_api: { chat_completions: 1, responses: 1, messages: 2 } })]);
    expect(formatReport(report).join('\n')).toMatch(/APIS\n.*chat_completions 1, responses 1, messages 2/);
  });

  it('charges an answer a fallback served at the prices of the deployment that served it, and says who served it', async () => {
    const client = h.client('sk-fallback');
    const { data: response, response: http } = await client.responses.create({ model: 'main', input: 'Count to six' }).withResponse();
    expect(response.model).toBe('main');
    expect(http.headers.get('x-sagegate-deployment')).toBe('backup');
    expect(http.headers.get('x-sagegate-fallback')).toBe('backup');
    const stream = client.responses.stream({ model: 'main', input: 'Count to six' });
    const streamed = await stream.finalResponse();
    const { data: text, response: textHttp } = await client.completions
      .create({ model: 'main', prompt: 'def fib(n):', max_tokens: 20 })
      .withResponse();
    expect(textHttp.headers.get('x-sagegate-fallback')).toBe('backup');
    await h.gateway.settled();
    const rows = await rowsOf('key-fallback');
    // Counted under the name asked for, served by (and priced as) the fallback's deployment.
    expect(rows).toEqual([expect.objectContaining({ model: 'main', served_by: 'backup', requests: 3 })]);
    const prompt = response.usage!.input_tokens + streamed.usage!.input_tokens + text.usage!.prompt_tokens;
    const completion = response.usage!.output_tokens + streamed.usage!.output_tokens + text.usage!.completion_tokens;
    expect(rows[0]!.cost).toBeCloseTo(cost(DEAR, prompt, completion), 12);
  });

  it('refuses a Responses call once its key’s budget is spent by Responses answers (429 insufficient_quota)', async () => {
    const client = h.client('sk-poor');
    // Starts under the budget; its cost (about $0.00002) spends it.
    await client.responses.create({ model: 'chat', input: 'Count to six' });
    const refused = await errorOf(client.responses.create({ model: 'chat', input: 'Count to six' }));
    expect(refused.status).toBe(429);
    expect(refused.error).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota' });
    expect(refused.headers?.get('x-should-retry')).toBe('false');
    expect((await errorOf(client.completions.create({ model: 'chat', prompt: 'x' }))).status).toBe(429);
    const streamed = await h.post('/v1/responses', { model: 'chat', input: 'x', stream: true }, { authorization: 'Bearer sk-poor' });
    expect(streamed.status).toBe(429);
    // What calls no model still answers: the health of the deployments, the models, a mistyped URL (a 404, not a 429).
    expect((await fetch(`${h.gateway.url}/health/models`, { headers: { authorization: 'Bearer sk-poor' } })).status).toBe(200);
    expect((await client.models.list()).data.length).toBeGreaterThan(0);
    const mistyped = await h.post('/v1/chat/completion', { model: 'chat' }, { authorization: 'Bearer sk-poor' });
    expect(mistyped.status).toBe(404);
  });

  it('budgets embeddings through a routed group: the fallback’s price counts, and the spent budget refuses the next batch', async () => {
    const client = h.client('sk-poor-embeddings');
    const { data, response } = await client.embeddings.create({ model: 'embed-main', input: ['first text', 'second text'] }).withResponse();
    expect(response.headers.get('x-sagegate-fallback')).toBe('embed-backup');
    await h.gateway.settled();
    const [row] = await rowsOf('key-poor-embeddings');
    expect(row).toMatchObject({
      model: 'embed-main',
      served_by: 'embed-backup',
      requests: 1,
      prompt_tokens: data.usage.prompt_tokens,
      by_api: { embeddings: 1 },
    });
    expect(row!.cost).toBeCloseTo(data.usage.prompt_tokens * 0.001, 12);
    const refused = await errorOf(client.embeddings.create({ model: 'embed-main', input: 'again' }));
    expect(refused.status).toBe(429);
    expect(refused.error).toMatchObject({ code: 'insufficient_quota' });
  });

  it('counts a Responses stream the client leaves while it is pinged through a silence, with an estimate', async () => {
    const controller = new AbortController();
    const response = await fetch(`${h.gateway.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-abandon' },
      body: JSON.stringify({ model: 'thinker', input: 'Think hard', stream: true }),
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
      if (text.includes(': ping')) break;
    }
    expect(text).toContain(': ping');
    // Pings come between typed events: the first text delta is already out.
    expect(text.indexOf('response.output_text.delta')).toBeLessThan(text.indexOf(': ping'));
    controller.abort();
    await reader.cancel().catch(() => undefined);
    // The row is written once the gateway has seen the client leave.
    let rows = await rowsOf('key-abandon');
    for (let i = 0; i < 50 && rows.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      await h.gateway.settled();
      rows = await rowsOf('key-abandon');
    }
    // What was generated up to then: 'Hmm.', about one token.
    expect(rows).toEqual([expect.objectContaining({ model: 'thinker', requests: 1, estimated_requests: 1, completion_tokens: 1 })]);
  });
});

describe('the Responses API through the router', () => {
  it('keeps the history of a stored response a fallback served, for the next turn (previous_response_id)', async () => {
    const client = h.client('sk-history');
    const first = await client.responses.create({ model: 'main', input: 'My name is Ada.', instructions: 'Be brief.' });
    const stream = client.responses.stream({ model: 'main', input: 'What is my name?', previous_response_id: first.id });
    const events: string[] = [];
    for await (const event of stream) events.push(event.type);
    const second = await stream.finalResponse();
    expect(events.at(-1)).toBe('response.completed');
    const sent = JSON.parse(
      h.emulator.invocations
        .filter((i) => i.endpoint === 'backup-ep')
        .at(-1)!
        .body.toString(),
    );
    // The stored input and output, then the new input (instructions do not carry over, as on OpenAI).
    expect(sent.messages).toEqual([
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: first.output_text },
      { role: 'user', content: 'What is my name?' },
    ]);
    // And the turn after that, from the stored stream.
    await client.responses.create({ model: 'main', input: 'Thanks.', previous_response_id: second.id });
    const third = JSON.parse(
      h.emulator.invocations
        .filter((i) => i.endpoint === 'backup-ep')
        .at(-1)!
        .body.toString(),
    );
    expect(third.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
  });

  it('says which deployment and fallback served a Responses answer, whole and streamed', async () => {
    const whole = await h.post('/v1/responses', { model: 'main', input: 'hi' }, { authorization: 'Bearer sk-headers' });
    expect(whole.headers.get('x-sagegate-deployment')).toBe('backup');
    expect(whole.headers.get('x-sagegate-fallback')).toBe('backup');
    const streamed = await h.post('/v1/responses', { model: 'main', input: 'hi', stream: true }, { authorization: 'Bearer sk-headers' });
    expect(streamed.headers.get('x-sagegate-deployment')).toBe('backup');
    expect(streamed.headers.get('x-sagegate-fallback')).toBe('backup');
    expect(await streamed.text()).toContain('event: response.completed');
    const direct = await h.post('/v1/responses', { model: 'chat', input: 'hi' }, { authorization: 'Bearer sk-headers' });
    expect(direct.headers.get('x-sagegate-deployment')).toBe('chat');
    expect(direct.headers.has('x-sagegate-fallback')).toBe(false);
  });
});

describe('on Lambda (the real bundle under aws-lambda-ric on Node 22)', () => {
  let lambda: Lambda;
  const sagemaker = new SageMakerRuntimeEmulator(undefined, environmentCredentials());
  const MASTER = 'sk-lambda-master';

  beforeAll(async () => {
    sagemaker.addEndpoint('lambda-ep', openAIChatContainer({ reply: () => REPLY }));
    const config = parseConfig(`models: [{name: lambda-responses, endpoint: lambda-ep}]\nauth: {master_key: ${MASTER}}`, 'lambda test', {});
    const env = { AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: await sagemaker.start(), AWS_ENDPOINT_URL_DYNAMODB: db.url, SAGEGATE_USAGE_TABLE: TABLE };
    // The first run builds the runtime client (minutes); later runs reuse it.
    lambda = await startLambda({ bundle: await buildHandlerBundle(config), env });
  }, 600_000);
  afterAll(async () => {
    await lambda?.stop();
    await sagemaker.stop();
  });

  it('has a streamed Responses answer stored and metered before the handler returns', async () => {
    await lambda.api.idle();
    const response = await fetch(`${lambda.functionUrl.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${MASTER}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'lambda-responses', input: 'Count to six', stream: true }),
    });
    const body = await response.text();
    const id = /"id":"(resp_[0-9a-f]+)"/.exec(body)![1]!;
    expect(body).toContain('"response.completed"');
    // The runtime asks for its next event once the handler has returned: there Lambda freezes the process.
    await lambda.api.idle();
    lambda.runtime.freeze();
    try {
      // No settling, no waiting: the row and the stored response are there while the process is frozen.
      const rows = await store.rows(dayOf(Date.now()), 'master');
      expect(rows.find((r) => r.model === 'lambda-responses')).toMatchObject({ requests: 1, completion_tokens: 6 });
      const dynamo = new DynamoDBClient({ endpoint: db.url });
      const item = await dynamo.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `response#${id}` }, sk: { S: 'response' } } }));
      dynamo.destroy();
      expect(item.Item?.keyId?.S).toBe('master');
    } finally {
      lambda.runtime.thaw();
    }
  });
});

describe('a graceful shutdown (containers: SIGTERM)', () => {
  const textChunk = (text: string) =>
    `data: ${JSON.stringify({ object: 'text_completion', choices: [{ index: 0, text, logprobs: null, finish_reason: null }] })}\n\n`;
  /** A legacy completion's first words, then a long silence. */
  const slowCompleter: Container = () => ({ stream: [textChunk('def'), { delayMs: 4000 }, textChunk(' fib'), 'data: [DONE]\n\n'] });

  /** Posts a stream and returns once its first bytes are in, with a promise of the whole text. */
  async function openStream(url: string, path: string, body: object) {
    const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    const first = decoder.decode((await reader.read()).value);
    const all = (async () => {
      let text = first;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return text;
        text += decoder.decode(value);
      }
    })();
    // In an object: an async function returning the promise would wait for it.
    return { all };
  }

  it('ends Responses and legacy completion streams still open at its deadline with an error event, as chat streams end', async () => {
    const local = await startHarness('models: [{ name: thinker, endpoint: thinker-ep }, { name: completer, endpoint: completer-ep }]', (e) => {
      e.addEndpoint('thinker-ep', thinker);
      e.addEndpoint('completer-ep', slowCompleter);
    });
    const responses = await openStream(local.gateway.url, '/v1/responses', { model: 'thinker', input: 'Think hard', stream: true });
    const completions = await openStream(local.gateway.url, '/v1/completions', { model: 'completer', prompt: 'def', stream: true });
    await local.gateway.shutdown(200);
    await local.emulator.stop();
    const [responsesText, completionsText] = await Promise.all([responses.all, completions.all]);
    expect(responsesText).toContain('event: response.failed');
    expect(responsesText).toContain('"code":"server_shutting_down"');
    expect(completionsText).toContain('"code":"server_shutting_down"');
    expect(completionsText.endsWith('data: [DONE]\n\n')).toBe(true);
  });
});
