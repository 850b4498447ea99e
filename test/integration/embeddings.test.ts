import { embeddingOf, jumpstartEmbeddingContainer, openAIEmbeddingContainer, teiContainer } from '../../local/emulators/embedding-containers.js';
import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import { OpenAIUpstreamEmulator } from '../../local/emulators/openai-upstream.js';
import { errorOf, type Harness, startHarness } from '../support/harness.js';

const lastPayload = (h: Harness) => JSON.parse(h.emulator.invocations.at(-1)!.body.toString('utf8'));

describe('embeddings through the official openai client', () => {
  // An OpenAI-compatible server with both APIs (sentence-luke behind LocalAI).
  const upstream = new OpenAIUpstreamEmulator(openAIChatContainer(), undefined, openAIEmbeddingContainer());
  let h: Harness;

  beforeAll(async () => {
    const base = await upstream.start();
    h = await startHarness(
      `
model_list:
  - model_name: bge
    litellm_params: { model: sagemaker/tei-endpoint, dialect: tei }
    model_info: { mode: embedding }
  - model_name: bge-misconfigured
    litellm_params: { model: sagemaker/tei-endpoint, dialect: tei, max_batch: 64 }
    model_info: { mode: embedding }
  - model_name: bge-tokens
    litellm_params: { model: sagemaker/tei-token-endpoint, dialect: tei }
    model_info: { mode: embedding }
  - model_name: e5
    litellm_params: { model: sagemaker/jumpstart-embed-endpoint }
    model_info: { mode: embedding }
  - model_name: vllm-embed
    litellm_params: { model: sagemaker_chat/vllm-embed-endpoint, dialect: openai-embeddings }
  - model_name: text-embedding-ada-002
    litellm_params: { model: openai/sentence-luke, api_base: "${base}", api_key: None }
  - model_name: chat
    litellm_params: { model: sagemaker_chat/chat-endpoint }
`,
      (e) => {
        e.addEndpoint('tei-endpoint', teiContainer());
        e.addEndpoint('tei-token-endpoint', teiContainer({ tokenLevel: true }));
        e.addEndpoint('jumpstart-embed-endpoint', jumpstartEmbeddingContainer());
        e.addEndpoint('vllm-embed-endpoint', openAIEmbeddingContainer());
        e.addEndpoint('chat-endpoint', openAIChatContainer());
      },
    );
  });
  afterAll(async () => {
    await h.close();
    await upstream.stop();
  });

  it('embeds a batch with TEI in input order, as floats, with estimated usage marked', async () => {
    const { data, response } = await h
      .client()
      .embeddings.create({ model: 'bge', input: ['猫', 'dog'], encoding_format: 'float' })
      .withResponse();
    expect(data.object).toBe('list');
    expect(data.model).toBe('bge');
    expect(data.data.map((d) => [d.object, d.index])).toEqual([
      ['embedding', 0],
      ['embedding', 1],
    ]);
    expect(data.data[0]!.embedding).toEqual(embeddingOf('猫'));
    expect(data.data[1]!.embedding).toEqual(embeddingOf('dog'));
    expect(data.usage).toEqual({ prompt_tokens: expect.any(Number), total_tokens: data.usage.prompt_tokens });
    expect(response.headers.get('x-sagegate-usage')).toBe('estimated');
    expect(lastPayload(h)).toEqual({ inputs: ['猫', 'dog'], normalize: true, truncate: false });
  });

  it("answers the SDK's default base64 encoding, which it decodes to the same vector", async () => {
    const result = await h.client().embeddings.create({ model: 'bge', input: 'hello' });
    const expected = embeddingOf('hello');
    expect(result.data[0]!.embedding).toHaveLength(expected.length);
    result.data[0]!.embedding.forEach((x, i) => expect(x).toBeCloseTo(expected[i]!, 6));
  });

  it('mean-pools token-level vectors into one per input', async () => {
    const result = await h.client().embeddings.create({ model: 'bge-tokens', input: 'pool me', encoding_format: 'float' });
    const [a, b] = [embeddingOf('pool me'), embeddingOf('pool me ')];
    result.data[0]!.embedding.forEach((x, i) => expect(x).toBeCloseTo((a[i]! + b[i]!) / 2, 12));
  });

  it("speaks JumpStart's text_inputs to a LiteLLM 'sagemaker/' embedding model", async () => {
    const result = await h.client().embeddings.create({ model: 'e5', input: ['a', 'b', 'c'], encoding_format: 'float' });
    expect(result.data.map((d) => d.embedding)).toEqual(['a', 'b', 'c'].map((t) => embeddingOf(t)));
    expect(lastPayload(h)).toEqual({ text_inputs: ['a', 'b', 'c'] });
  });

  it('passes an OpenAI-style request to a vLLM container: dimensions, token ids, its own usage, answers put back in order', async () => {
    const { data, response } = await h
      .client()
      .embeddings.create({ model: 'vllm-embed', input: ['first', 'second'], dimensions: 4, encoding_format: 'float' })
      .withResponse();
    expect(data.data.map((d) => d.embedding)).toEqual([embeddingOf('first', 4), embeddingOf('second', 4)]);
    expect(data.usage).toEqual({ prompt_tokens: 2, total_tokens: 2 });
    expect(response.headers.get('x-sagegate-usage')).toBeNull();
    expect(lastPayload(h)).toMatchObject({ input: ['first', 'second'], dimensions: 4, encoding_format: 'float' });
    const tokens = await h.client().embeddings.create({ model: 'vllm-embed', input: [101, 2023, 102], encoding_format: 'float' });
    expect(tokens.data).toHaveLength(1);
  });

  it('serves text-embedding-ada-002 from an OpenAI-compatible server', async () => {
    const result = await h
      .client()
      .embeddings.create({ model: 'text-embedding-ada-002', input: 'query: 夕飯はお肉です。', encoding_format: 'float' });
    expect(result.data[0]!.embedding).toEqual(embeddingOf('query: 夕飯はお肉です。'));
    expect(upstream.requests.at(-1)!.body).toMatchObject({ model: 'sentence-luke', input: 'query: 夕飯はお肉です。' });
  });

  it('lists embedding models with the chat models', async () => {
    const models = await h.client().models.list();
    expect(models.data.map((m) => m.id)).toEqual(['bge', 'bge-misconfigured', 'bge-tokens', 'e5', 'vllm-embed', 'text-embedding-ada-002', 'chat']);
    expect((await h.client().models.retrieve('bge')).id).toBe('bge');
  });

  it('refuses what a model cannot do, naming the field', async () => {
    const cases: [Promise<unknown>, number, string | null, string | null][] = [
      [h.client().embeddings.create({ model: 'bge', input: [101, 102] }), 400, 'input', 'unsupported_input'],
      [h.client().embeddings.create({ model: 'bge', input: 'x', dimensions: 4 }), 400, 'dimensions', 'unsupported_parameter'],
      [h.client().embeddings.create({ model: 'bge', input: [] }), 400, 'input', null],
      [h.client().embeddings.create({ model: 'bge', input: ['ok', ''] }), 400, 'input[1]', null],
      [h.client().embeddings.create({ model: 'chat', input: 'x' }), 400, 'model', 'model_not_embedding'],
      [h.client().chat.completions.create({ model: 'bge', messages: [{ role: 'user', content: 'x' }] }), 400, 'model', 'model_not_chat'],
      [h.client().embeddings.create({ model: 'nope', input: 'x' }), 404, 'model', 'model_not_found'],
    ];
    for (const [call, status, param, code] of cases) {
      const error = await errorOf(call);
      expect([error.status, error.param, error.code]).toEqual([status, param, code]);
    }
    expect(h.emulator.invocations.filter((i) => i.endpoint === 'chat-endpoint')).toHaveLength(0);
  });

  it('sends more inputs than TEI takes per call in batches of 32, and joins the answers in order (LangChain sends hundreds)', async () => {
    const before = h.emulator.invocations.length;
    const texts = Array.from({ length: 70 }, (_, i) => `chunk ${i}`);
    const result = await h.client().embeddings.create({ model: 'bge', input: texts, encoding_format: 'float' });
    expect(result.data.map((d) => d.index)).toEqual(texts.map((_, i) => i));
    expect(result.data.map((d) => d.embedding)).toEqual(texts.map((t) => embeddingOf(t)));
    const calls = h.emulator.invocations.slice(before).map((i) => JSON.parse(i.body.toString('utf8')).inputs.length);
    expect(calls.sort((a, b) => b - a)).toEqual([32, 32, 6]);
  });

  it("passes TEI's own validation error on as a 400 with its message (max_batch set above the container's)", async () => {
    const error = await errorOf(h.client().embeddings.create({ model: 'bge-misconfigured', input: Array.from({ length: 40 }, (_, i) => `t${i}`) }));
    expect(error.status).toBe(400);
    expect(error.message).toContain('maximum allowed batch size 32');
  });
});
