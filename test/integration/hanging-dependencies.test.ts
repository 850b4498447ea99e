import { execFile } from 'node:child_process';
import OpenAI from 'openai';
import { configureSageMakerClients, DEFAULT_SAGEMAKER_CONNECTIONS } from '../../lambda/upstreams/sagemaker/clients.js';
import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import { OpenAIUpstreamEmulator } from '../../local/emulators/openai-upstream.js';
import { SecretsManagerEmulator } from '../../local/emulators/secrets-manager.js';
import { errorOf, type Harness, sseEvents, startHarness } from '../support/harness.js';
import { SilentServer } from '../support/silent-server.js';

/**
 * Every AWS service on the request path, accepting connections and never answering (the worst kind
 * of outage: nothing fails, everything waits). Requests must not wait with it: a cached copy is
 * served at once, and with none the client gets a retryable error within seconds, not minutes.
 * Bounds are generous ("seconds, not 300 s") so a loaded machine does not fail them.
 */
const chat = (h: Harness, key: string, model = 'chat') =>
  h.client(key).chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });

async function timed<T>(promise: Promise<T>): Promise<{ ms: number; status: number; error?: InstanceType<typeof OpenAI.APIError> }> {
  const started = performance.now();
  try {
    await promise;
    return { ms: performance.now() - started, status: 200 };
  } catch (error) {
    if (!(error instanceof OpenAI.APIError)) throw error;
    return { ms: performance.now() - started, status: error.status ?? 0, error };
  }
}

describe('Secrets Manager hangs: the key store', () => {
  const sm = new SecretsManagerEmulator();
  const STORE_MASTER = 'sk-store-master-0123456789abcdef';
  let arn: string;

  beforeAll(async () => {
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = await sm.start();
    arn = sm.put('sagegate/keys', JSON.stringify({ master_key: STORE_MASTER }));
  });
  afterAll(() => sm.stop());
  afterEach(() => {
    sm.hang = false;
  });

  it('a warmed gateway past its TTL answers at once with the cached keys', async () => {
    const h = await startHarness(`models: [{name: chat, endpoint: e}]\nauth: {keys_secret: "${arn}", cache_ttl_seconds: 1}`, (e) =>
      e.addEndpoint('e', openAIChatContainer()),
    );
    try {
      expect((await timed(chat(h, STORE_MASTER))).status).toBe(200);
      sm.hang = true;
      await new Promise((r) => setTimeout(r, 1100)); // past the TTL
      const calls = sm.calls.length;
      const first = await timed(chat(h, STORE_MASTER));
      expect(first.status).toBe(200);
      expect(first.ms).toBeLessThan(2000);
      expect(sm.calls.length).toBeGreaterThan(calls); // it did try to refresh
      const many = await Promise.all(Array.from({ length: 10 }, () => timed(chat(h, STORE_MASTER))));
      for (const r of many) {
        expect(r.status).toBe(200);
        expect(r.ms).toBeLessThan(2000);
      }
      // A key the cache does not know is refused as quickly.
      const unknown = await timed(chat(h, 'sk-not-a-key'));
      expect(unknown.status).toBe(401);
      expect(unknown.ms).toBeLessThan(2000);
    } finally {
      await h.close();
    }
  });

  it('a fresh gateway answers 503 key_store_unavailable within seconds, and keeps doing so quickly', async () => {
    sm.hang = true;
    const h = await startHarness(`models: [{name: chat, endpoint: e}]\nauth: {keys_secret: "${arn}"}`, (e) =>
      e.addEndpoint('e', openAIChatContainer()),
    );
    try {
      const first = await timed(chat(h, STORE_MASTER));
      expect(first.status).toBe(503);
      expect(first.error!.error).toMatchObject({ code: 'key_store_unavailable' });
      expect(first.error!.headers?.get('retry-after')).toBeTruthy();
      expect(first.ms).toBeLessThan(10_000);
      const again = await timed(chat(h, STORE_MASTER));
      expect(again.status).toBe(503);
      expect(again.ms).toBeLessThan(10_000);
      expect(h.emulator.invocations).toHaveLength(0);
    } finally {
      await h.close();
    }
  }, 30_000);

  it("a config's own master key needs no Secrets Manager call at all", async () => {
    sm.hang = true;
    const h = await startHarness(`models: [{name: chat, endpoint: e}]\nauth: {keys_secret: "${arn}", master_key: sk-config-master-0000}`, (e) =>
      e.addEndpoint('e', openAIChatContainer()),
    );
    try {
      const answer = await timed(chat(h, 'sk-config-master-0000'));
      expect(answer.status).toBe(200);
      expect(answer.ms).toBeLessThan(2000);
    } finally {
      await h.close();
    }
  });
});

describe("Secrets Manager hangs: an upstream's API key", () => {
  it('answers 503 upstream_unavailable within seconds while no key was ever read', async () => {
    const sm = new SecretsManagerEmulator();
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = await sm.start();
    const secret = sm.put('sagegate/upstream', 'sk-upstream-key');
    const upstream = new OpenAIUpstreamEmulator(openAIChatContainer(), 'sk-upstream-key');
    await upstream.start();
    sm.hang = true;
    const h = await startHarness(
      `models: [{name: glm, provider: openai, base_url: "${upstream.url}", model: glm-4, api_key_secret: "${secret}"}]`,
      () => undefined,
    );
    try {
      const answer = await timed(chat(h, 'sk-any', 'glm'));
      expect(answer.status).toBe(503);
      expect(answer.error!.error).toMatchObject({ code: 'upstream_unavailable' });
      expect(answer.ms).toBeLessThan(10_000);
      expect(upstream.requests).toHaveLength(0);
      // Once Secrets Manager answers again, so does the model.
      sm.hang = false;
      await new Promise((r) => setTimeout(r, 5100)); // the retry interval after a failed read
      expect((await timed(chat(h, 'sk-any', 'glm'))).status).toBe(200);
    } finally {
      await h.close();
      await upstream.stop();
      await sm.stop();
    }
  }, 40_000);
});

describe('SageMaker hangs: the connection is accepted, nothing is ever answered', () => {
  let h: Harness;
  const chunk = `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'partial ' } }] })}\n\n`;

  beforeAll(async () => {
    // The real idle limit is 70 s (AWS's advice); a test cannot wait that long.
    configureSageMakerClients({ idleTimeoutMs: 1000 });
    h = await startHarness('models: [{name: silent, endpoint: silent}, {name: stalls, endpoint: stalls}]', (e) => {
      e.addEndpoint('silent', () => new Promise(() => undefined));
      e.addEndpoint('stalls', () => ({ stream: [chunk, { delayMs: 600_000 }] }));
    });
  });
  afterAll(async () => {
    configureSageMakerClients(DEFAULT_SAGEMAKER_CONNECTIONS);
    await h.close();
  });

  it('answers 504 upstream_timeout, streaming or not, instead of waiting for good', async () => {
    for (const stream of [false, true]) {
      const answer = await timed(h.client().chat.completions.create({ model: 'silent', messages: [{ role: 'user', content: 'hi' }], stream }));
      expect(answer.status).toBe(504);
      expect(answer.error!.error).toMatchObject({ code: 'upstream_timeout' });
      expect(answer.ms).toBeLessThan(10_000);
    }
  });

  it('ends a stream that goes silent after its first token with an error event, then [DONE]', async () => {
    const res = await h.post('/v1/chat/completions', { model: 'stalls', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(200);
    const events = sseEvents(await res.text());
    expect(JSON.parse(events[0]!).choices[0].delta.content).toBe('partial ');
    expect(JSON.parse(events.at(-2)!).error).toMatchObject({ code: 'upstream_timeout' });
    expect(events.at(-1)).toBe('[DONE]');
    const error = await errorOf(h.client().chat.completions.create({ model: 'silent', messages: [{ role: 'user', content: 'hi' }] }));
    expect(error.status).toBe(504);
  });
});

describe('STS hangs: a model in another account', () => {
  it('answers 503 upstream_unavailable within seconds, and keeps doing so quickly, instead of waiting for good', async () => {
    const sts = new SilentServer();
    process.env.AWS_ENDPOINT_URL_STS = await sts.start();
    const h = await startHarness('models: [{ name: chat, endpoint: e, role_arn: "arn:aws:iam::210987654321:role/sagegate-invoke" }]', (e) =>
      e.addEndpoint('e', openAIChatContainer()),
    );
    try {
      for (let i = 0; i < 2; i++) {
        const { ms, status, error } = await timed(chat(h, 'any'));
        expect(status).toBe(503);
        expect(error!.code).toBe('upstream_unavailable');
        expect(ms).toBeLessThan(15_000);
      }
      expect(sts.accepted).toBeGreaterThan(0);
    } finally {
      await h.close();
      await sts.stop();
      delete process.env.AWS_ENDPOINT_URL_STS;
    }
  });
});

describe('DynamoDB hangs: stored responses', () => {
  it('answers the response (marked not stored) and refuses reads with 503 within seconds', async () => {
    const dynamodb = new SilentServer();
    process.env.AWS_ENDPOINT_URL_DYNAMODB = await dynamodb.start();
    const h = await startHarness('models: [{ name: chat, endpoint: e }]\nusage: { table: hanging-table, when_unavailable: fail_open }', (e) =>
      e.addEndpoint('e', openAIChatContainer()),
    );
    try {
      const started = performance.now();
      const response = await h.client().responses.create({ model: 'chat', input: 'hi' });
      expect(response.output_text).toContain('hi');
      expect((response as unknown as { store: boolean }).store).toBe(false);
      const read = await timed(h.client().responses.retrieve(response.id));
      expect(read.status).toBe(503);
      expect(read.error!.code).toBe('response_store_unavailable');
      expect(performance.now() - started).toBeLessThan(30_000);
    } finally {
      await h.close();
      await dynamodb.stop();
      delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    }
  }, 60_000);
});

describe('CloudFormation and Secrets Manager hang: the CLI', () => {
  it('gives up with a message naming what to pass instead, not a process that never ends', async () => {
    const aws = new SilentServer();
    const url = await aws.start();
    const started = performance.now();
    const result = await new Promise<{ code: number | null; err: string }>((resolve) => {
      execFile(
        'npx',
        ['sagegate', 'keys', 'list', '--stack', 'SageGate'],
        { env: { ...process.env, AWS_ENDPOINT_URL_CLOUDFORMATION: url, AWS_ENDPOINT_URL_SECRETS_MANAGER: url, SAGEGATE_SILENT: '1' } },
        (error, _stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, err: stderr }),
      );
    });
    await aws.stop();
    expect(result.code).not.toBe(0);
    expect(result.err).toContain('cannot read stack SageGate');
    expect(result.err).toContain('--secret <arn>');
    expect(performance.now() - started).toBeLessThan(40_000);
  }, 60_000);
});
