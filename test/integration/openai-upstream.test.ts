import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import { OpenAIUpstreamEmulator } from '../../local/emulators/openai-upstream.js';
import { SecretsManagerEmulator } from '../../local/emulators/secrets-manager.js';
import { type Harness, startHarness } from '../support/harness.js';

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('OpenAI-compatible HTTP upstreams', () => {
  const keyless = new OpenAIUpstreamEmulator(openAIChatContainer({ servedModelName: 'vicuna-13b', tokenDelayMs: 5 }));
  const keyed = new OpenAIUpstreamEmulator(openAIChatContainer({ servedModelName: 'glm-4-flash' }), 'sk-upstream-secret');
  const rejecting = new OpenAIUpstreamEmulator(() => ({
    status: 400,
    body: { error: { message: "'messages' must contain at least one user message", type: 'BadRequestError', code: 400 } },
  }));
  const secrets = new SecretsManagerEmulator();
  // Answers 200 with a length it never delivers: the connection drops a few bytes into the body.
  const breaking: Server = createHttpServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
    response.write('{"id":"chatcmpl-');
    setTimeout(() => response.socket?.destroy(), 10);
  });
  let h: Harness;

  beforeAll(async () => {
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = await secrets.start();
    secrets.put('sagegate/glm-key', JSON.stringify({ api_key: 'sk-upstream-secret' }));
    secrets.put('sagegate/wrong-key', 'sk-not-it');
    const [a, b, c] = await Promise.all([keyless.start(), keyed.start(), rejecting.start()]);
    const closed = await closedPort();
    await new Promise<void>((resolve) => breaking.listen(0, '127.0.0.1', resolve));
    const broken = `http://127.0.0.1:${(breaking.address() as { port: number }).port}/v1`;
    // LiteLLM form, as migrated configs write it (api_key: None), plus keys kept in Secrets Manager.
    h = await startHarness(
      `
model_list:
  - model_name: gpt-3.5-turbo
    litellm_params: { model: openai/vicuna-13b, api_base: "${a}", api_key: None }
  - model_name: glm
    litellm_params: { model: openai/glm-4-flash, api_base: "${b}", api_key_secret: sagegate/glm-key }
  - model_name: glm-wrong-key
    litellm_params: { model: openai/glm-4-flash, api_base: "${b}", api_key_secret: sagegate/wrong-key }
  - model_name: rejecting
    litellm_params: { model: openai/x, api_base: "${c}" }
  - model_name: unreachable
    litellm_params: { model: openai/x, api_base: "http://127.0.0.1:${closed}/v1" }
  - model_name: breaking
    litellm_params: { model: openai/x, api_base: "${broken}" }
`,
      () => undefined,
    );
  });
  afterAll(async () => {
    await h.close();
    await Promise.all([keyless.stop(), keyed.stop(), rejecting.stop(), secrets.stop()]);
    await new Promise((resolve) => breaking.close(resolve));
  });

  const ask = (model: string) => h.client().chat.completions.create({ model, messages: [{ role: 'user', content: '日本の都道府県を一つ' }] });

  it('answers through a keyless upstream, sending the upstream model name', async () => {
    const completion = await ask('gpt-3.5-turbo');
    expect(completion.model).toBe('gpt-3.5-turbo');
    expect(completion.choices[0]!.message.content).toContain('日本の都道府県を一つ');
    expect(keyless.requests.at(-1)).toMatchObject({ body: { model: 'vicuna-13b' }, authorization: undefined });
  });

  it('relays an upstream stream chunk by chunk', async () => {
    const stream = await h.client().chat.completions.create({
      model: 'gpt-3.5-turbo',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toContain('You said: "hi"');
    expect(chunks.at(-1)!.usage).toMatchObject({ completion_tokens: 15 });
  });

  it('sends the API key read from Secrets Manager', async () => {
    await ask('glm');
    expect(keyed.requests.at(-1)!.authorization).toBe('Bearer sk-upstream-secret');
  });

  it('reports an upstream that refuses our key as 502, not as the client’s 401', async () => {
    await expect(ask('glm-wrong-key')).rejects.toMatchObject({ status: 502, code: 'upstream_misconfigured' });
  });

  it("passes an upstream 400 on with the upstream's message", async () => {
    await expect(ask('rejecting')).rejects.toMatchObject({ status: 400, message: expect.stringContaining('at least one user message') });
  });

  it('reports an unreachable upstream as 502', async () => {
    await expect(ask('unreachable')).rejects.toMatchObject({ status: 502, message: expect.stringContaining('ECONNREFUSED') });
  });

  it('reports an answer whose connection drops mid-body as 502, not a hang or a half-read JSON error', async () => {
    await expect(ask('breaking')).rejects.toMatchObject({ status: 502, message: expect.stringContaining('ECONNRESET') });
  });
});
