import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { openAIEmbeddingContainer, teiContainer } from '../../local/emulators/embedding-containers.js';
import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import { OpenAIUpstreamEmulator } from '../../local/emulators/openai-upstream.js';
import { qwenVLContainer } from '../../local/emulators/qwen-vl-container.js';
import { type Harness, startHarness } from '../support/harness.js';
import { dataUrl } from '../support/images.js';

/**
 * Hostile request bodies and URLs, as the black-box fuzz run sent them, through the local
 * server: each is answered with a short OpenAI-shaped 4xx, quickly, without recursing, without
 * echoing the input, and without reaching a model.
 */
const MASTER = 'sk-master-hostile-input-0000';
const auth = { authorization: `Bearer ${MASTER}` };
let h: Harness;
let upstream: OpenAIUpstreamEmulator;

beforeAll(async () => {
  upstream = new OpenAIUpstreamEmulator(openAIChatContainer(), undefined, openAIEmbeddingContainer());
  await upstream.start();
  h = await startHarness(
    `
models:
  - { name: chat-sse, endpoint: chat-endpoint }
  - { name: embed, endpoint: embed-endpoint, dialect: tei }
  - { name: qwen-vl, endpoint: vl-endpoint, vision: true }
  - { name: upstream, provider: openai, base_url: "${upstream.url}", model: m }
auth: { master_key: ${MASTER} }
`,
    (e) => {
      e.addEndpoint('chat-endpoint', openAIChatContainer());
      e.addEndpoint('embed-endpoint', teiContainer());
      e.addEndpoint('vl-endpoint', qwenVLContainer());
    },
  );
}, 60_000);
afterAll(async () => {
  await h.close();
  await upstream.stop();
});

const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  fetch(`${h.gateway.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth, ...headers },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const hi = '[{"role":"user","content":"x"}]';

async function expectError(res: Response, status: number, fields: object): Promise<Record<string, unknown>> {
  const text = await res.text();
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/json');
  expect(text.length).toBeLessThan(2048);
  const { error } = JSON.parse(text);
  expect(Object.keys(error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(error).toMatchObject(fields);
  return error;
}

describe('deeply nested JSON', () => {
  it.each([
    ['an unknown chat field', '/v1/chat/completions', `{"model":"chat-sse","messages":${hi},"x":${nested(10_000)}}`, 'x[0]'],
    [
      "a tool's parameters",
      '/v1/chat/completions',
      `{"model":"upstream","messages":${hi},"tools":[{"type":"function","function":{"name":"f","parameters":{"p":${nested(5000)}}}}]}`,
      'tools[0].function.parameters.p[0]',
    ],
    [
      'a JSON schema response format',
      '/v1/chat/completions',
      `{"model":"upstream","messages":${hi},"response_format":{"type":"json_schema","json_schema":{"schema":${nested(5000)}}}}`,
      'response_format.json_schema.schema[0]',
    ],
    [
      'an embeddings field for an OpenAI-compatible upstream',
      '/v1/embeddings',
      `{"model":"upstream","input":"x","x":{"y":${nested(10_000)}}}`,
      'x.y[0]',
    ],
    ['the input itself', '/v1/embeddings', `{"model":"embed","input":${nested(100_000)}}`, 'input[0]'],
  ])('is a 400 naming the field: %s', async (_name, path, body, param) => {
    const before = h.emulator.invocations.length + upstream.requests.length;
    const error = await expectError(await post(path, body), 400, { code: 'nesting_too_deep', type: 'invalid_request_error' });
    expect(error.param).toEqual(expect.stringMatching(new RegExp(`^${param.replace(/[[\].]/g, '\\$&')}`)));
    expect(h.emulator.invocations.length + upstream.requests.length).toBe(before);
  });

  it('still takes a tool schema nested a few dozen levels', async () => {
    let schema: object = { type: 'string' };
    for (let i = 0; i < 20; i++) schema = { type: 'object', properties: { inner: schema } };
    const body = JSON.stringify({
      model: 'upstream',
      messages: JSON.parse(hi),
      tools: [{ type: 'function', function: { name: 'f', parameters: schema } }],
    });
    expect((await post('/v1/chat/completions', body)).status).toBe(200);
  });
});

describe('huge arrays', () => {
  /** The longest a concurrent /health waited while `work` ran: the event loop must not block. */
  async function healthDuring(work: Promise<Response>): Promise<{ res: Response; worstMs: number }> {
    let done = false;
    let worstMs = 0;
    const poll = (async () => {
      while (!done) {
        const started = performance.now();
        await (await fetch(`${h.gateway.url}/health`)).text();
        worstMs = Math.max(worstMs, performance.now() - started);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const res = await work;
    await res.clone().text();
    done = true;
    await poll;
    return { res, worstMs };
  }

  it('answers a 6 MB body of three million bad items with a 400 at once, /health staying prompt', async () => {
    const body = `{"model":"chat-sse","messages":[{"role":"user","content":[${'0,'.repeat(2_999_999)}0]}]}`;
    expect(body.length).toBeGreaterThan(6_000_000);
    const { res, worstMs } = await healthDuring(post('/v1/chat/completions', body));
    await expectError(res, 400, { code: 'array_too_long', param: 'messages[0].content' });
    expect(worstMs).toBeLessThan(1000);
  });

  it('refuses 300,000 invalid content parts by the array limit, and reports only the first of 90,000', async () => {
    const many = (n: number) => `{"model":"chat-sse","messages":[{"role":"user","content":[${'{"type":"nope"},'.repeat(n - 1)}{"type":"nope"}]}]}`;
    await expectError(await post('/v1/chat/completions', many(300_000)), 400, { code: 'array_too_long' });
    const { res, worstMs } = await healthDuring(post('/v1/chat/completions', many(90_000)));
    await expectError(res, 400, { param: 'messages[0].content[0].type', message: expect.stringContaining('"nope" is not supported') });
    expect(worstMs).toBeLessThan(1000);
  });

  it('refuses token-id inputs past the limits for embeddings', async () => {
    await expectError(await post('/v1/embeddings', `{"model":"embed","input":[${'1,'.repeat(199_999)}1]}`), 400, {
      code: 'array_too_long',
      param: 'input',
    });
  });
});

describe('large client values are never echoed', () => {
  it.each([
    ['a 5 MB role', '/v1/chat/completions', JSON.stringify({ model: 'chat-sse', messages: [{ role: 'r'.repeat(5_000_000), content: 'x' }] }), 400],
    ['a 5 MB model, chat', '/v1/chat/completions', JSON.stringify({ model: 'm'.repeat(5_000_000), messages: [{ role: 'user', content: 'x' }] }), 404],
    ['a 5 MB model, embeddings', '/v1/embeddings', JSON.stringify({ model: 'm'.repeat(5_000_000), input: 'x' }), 404],
    [
      'a 1 MB part type',
      '/v1/chat/completions',
      JSON.stringify({ model: 'chat-sse', messages: [{ role: 'user', content: [{ type: 't'.repeat(1_000_000) }] }] }),
      400,
    ],
    [
      'a 1 MB image URL scheme',
      '/v1/chat/completions',
      JSON.stringify({
        model: 'qwen-vl',
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `${'x'.repeat(1_000_000)}:y` } }] }],
      }),
      400,
    ],
  ])('%s', async (_name, path, body, status) => {
    await expectError(await post(path, body), status, {});
  });

  it('in the path too', async () => {
    await expectError(await fetch(`${h.gateway.url}/v1/models/${'m'.repeat(12_000)}`, { headers: auth }), 404, { code: 'model_not_found' });
    await expectError(await fetch(`${h.gateway.url}/v1/${'u'.repeat(12_000)}`, { headers: auth }), 404, { code: 'unknown_url' });
  });
});

describe('malformed percent-escapes in the path', () => {
  it.each(['%', '%E0%A4%A', '%ZZ', 'ok%'])('GET /v1/models/%s: 400 with a key, 401 without, never a 500', async (id) => {
    await expectError(await fetch(`${h.gateway.url}/v1/models/${id}`, { headers: auth }), 400, { code: 'invalid_model_id', param: 'model' });
    await expectError(await fetch(`${h.gateway.url}/models/${id}`, { headers: auth }), 400, { code: 'invalid_model_id' });
    await expectError(await fetch(`${h.gateway.url}/v1/models/${id}`), 401, { code: 'invalid_api_key' });
  });

  it('decodes a model id once: %2520 is a literal %20', async () => {
    const error = await expectError(await fetch(`${h.gateway.url}/v1/models/a%2520b`, { headers: auth }), 404, { code: 'model_not_found' });
    expect(error.message).toContain("'a%20b'");
    expect((await fetch(`${h.gateway.url}/v1/models/chat%2Dsse`, { headers: auth })).status).toBe(200);
  });

  it('elsewhere in the path is an unknown URL', async () => {
    for (const path of ['/%ZZ', '/v1/%E0%A4%A/x', '/v1/chat/completions%']) {
      await expectError(await fetch(`${h.gateway.url}${path}`, { method: 'POST', headers: auth }), 404, { code: 'unknown_url' });
    }
  });
});

describe('content type and encoding', () => {
  const body = JSON.stringify({ model: 'chat-sse', messages: JSON.parse(hi) });

  it("refuses a content type other than JSON as OpenAI's API does", async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      await expectError(await post('/v1/chat/completions', body, { 'content-type': type }), 400, { code: 'unsupported_content_type' });
    }
  });

  it('takes JSON with a charset, or with no content type at all', async () => {
    expect((await post('/v1/chat/completions', body, { 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);
    const bare = await fetch(`${h.gateway.url}/v1/chat/completions`, { method: 'POST', headers: auth, body: Buffer.from(body) });
    expect(bare.status).toBe(200);
  });

  it('decodes a gzip body; refuses a plain body that claims gzip, and encodings it does not decode', async () => {
    const answer = await post('/v1/chat/completions', gzipSync(body), { 'content-encoding': 'gzip' });
    expect(answer.status).toBe(200);
    expect((await answer.json()).object).toBe('chat.completion');
    await expectError(await post('/v1/chat/completions', body, { 'content-encoding': 'gzip' }), 400, { code: 'invalid_body_encoding' });
    await expectError(await post('/v1/embeddings', body, { 'content-encoding': 'compress' }), 415, { code: 'unsupported_content_encoding' });
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    await expectError(await post('/v1/chat/completions', bomb, { 'content-encoding': 'gzip' }), 413, { code: 'request_too_large' });
  });
});

describe('images the resizer cannot read', () => {
  it('answers with a message about the image, not the library', async () => {
    // A 10x10 PNG (upscaled for the model) cut inside its pixel data: the header reads, the pixels
    // do not (libvips says "vips2png: unable to write to target target").
    const png = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#c00' } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    const cut = png.subarray(0, png.length - 40);
    const res = await post(
      '/v1/chat/completions',
      JSON.stringify({ model: 'qwen-vl', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: dataUrl(cut) } }] }] }),
    );
    const error = await expectError(res, 400, { code: 'invalid_image', param: 'messages[0].content[0]' });
    expect(error.message).toContain('could not be decoded');
    expect(error.message).not.toMatch(/vips|target|libpng/i);
  });
});
