import OpenAI from 'openai';
import { sha256Hex } from '../../lambda/auth/key-hash.js';
import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import { SecretsManagerEmulator } from '../../local/emulators/secrets-manager.js';
import { type Harness, startHarness } from '../support/harness.js';

const endpoint = (e: import('../../local/emulators/sagemaker-runtime.js').SageMakerRuntimeEmulator) =>
  e.addEndpoint('chat-endpoint', openAIChatContainer());

async function status(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    if (error instanceof OpenAI.APIError) return error.status ?? 0;
    throw error;
  }
}

describe('API keys: a master key from a LiteLLM config', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      `
model_list:
  - model_name: chat
    litellm_params: { model: sagemaker_chat/chat-endpoint }
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
`,
      endpoint,
      { env: { LITELLM_MASTER_KEY: 'sk-master-123' } },
    );
  });
  afterAll(() => h.close());

  const chat = (key: string) => h.client(key).chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });

  it('401 invalid_api_key for a missing or wrong key', async () => {
    const res = await h.post('/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(401);
    expect((await res.json()).error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
    expect(await status(chat('sk-wrong'))).toBe(401);
    expect(await status(h.client('sk-wrong').models.list())).toBe(401);
    expect(h.emulator.invocations).toHaveLength(0);
  });

  it('accepts the right key as a Bearer token or as x-api-key', async () => {
    expect(await status(chat('sk-master-123'))).toBe(200);
    const res = await h.post('/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: 'x' }] }, { 'x-api-key': 'sk-master-123' });
    expect(res.status).toBe(200);
  });

  it('keeps /health open', async () => {
    expect((await fetch(`${h.gateway.url}/health`)).status).toBe(200);
  });
});

describe('API keys: the key store in Secrets Manager (real SDK, emulated service)', () => {
  let h: Harness;
  const sm = new SecretsManagerEmulator();
  let arn: string;

  beforeAll(async () => {
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = await sm.start();
    // As the stack creates it: a generated master key in the secret's JSON.
    arn = sm.put('sagegate/keys', JSON.stringify({ master_key: 'sk-generated-abc' }));
    h = await startHarness(`models: [{name: chat, endpoint: chat-endpoint}]\nauth: {keys_secret: "${arn}", cache_ttl_seconds: 1}`, endpoint);
  });
  afterAll(async () => {
    await h.close();
    await sm.stop();
  });

  const chat = (key: string) => h.client(key).chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });

  it('accepts the generated master key and refuses others', async () => {
    expect(await status(chat('sk-generated-abc'))).toBe(200);
    expect(await status(chat('sk-nope'))).toBe(401);
  });

  it('reads the secret once (both stages) for many concurrent requests, then caches it', async () => {
    await new Promise((r) => setTimeout(r, 1100)); // let the TTL run out
    const before = sm.calls.length;
    const statuses = await Promise.all(Array.from({ length: 10 }, () => status(chat('sk-generated-abc'))));
    expect(statuses).toEqual(Array(10).fill(200));
    expect(sm.calls.slice(before).map((c) => c.stage)).toEqual(['AWSCURRENT', 'AWSPENDING']);
  });

  it('sees a replaced key after the TTL, and accepts a hash-only secret', async () => {
    sm.put('sagegate/keys', JSON.stringify({ master_key_sha256: sha256Hex('sk-rotated') }));
    await new Promise((r) => setTimeout(r, 1100));
    expect(await status(chat('sk-rotated'))).toBe(200);
    expect(await status(chat('sk-generated-abc'))).toBe(401);
  });

  it('keeps serving the cached keys through a Secrets Manager outage', async () => {
    sm.down = true;
    await new Promise((r) => setTimeout(r, 1100));
    expect(await status(chat('sk-rotated'))).toBe(200);
    sm.down = false;
  });
});

describe('API keys: fail closed', () => {
  it('answers 503 (never open) when the key store cannot be read and nothing is cached', async () => {
    const sm = new SecretsManagerEmulator();
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = await sm.start();
    sm.down = true;
    const h = await startHarness('models: [{name: chat, endpoint: chat-endpoint}]\nauth: {keys_secret: sagegate/keys}', endpoint);
    try {
      const res = await h.post(
        '/v1/chat/completions',
        { model: 'chat', messages: [{ role: 'user', content: 'x' }] },
        { authorization: 'Bearer sk-anything' },
      );
      expect(res.status).toBe(503);
      expect((await res.json()).error.code).toBe('key_store_unavailable');
      expect(h.emulator.invocations).toHaveLength(0);
      // It really asked this Secrets Manager, and was refused.
      expect(sm.calls.map((c) => c.operation)).toContain('GetSecretValue');
    } finally {
      await h.close();
      await sm.stop();
    }
  });
});
