import { gzipSync } from 'node:zlib';
import { GatewayError } from '../../lambda/core/gateway-error.js';
import { checkJsonLimits, type JsonLimits } from '../../lambda/http/json-limits.js';
import { readJson } from '../../lambda/http/read-json.js';
import { chatRequestSchema, parseChatRequest } from '../../lambda/openai/chat-request.js';
import { parseEmbeddingsRequest } from '../../lambda/openai/embeddings-request.js';
import { FIRST_ISSUE_ONLY } from '../../lambda/openai/first-issue.js';

/** Request reading and validation against hostile bodies, below the HTTP layer. */
const LIMITS: JsonLimits = { maxDepth: 4, maxArrayItems: 3, maxItems: 20 };
const check = (json: string, limits = LIMITS) => checkJsonLimits(Buffer.from(json), limits);

describe('JSON shape limits, checked on the raw bytes', () => {
  it.each([
    ['{"a":[1,2,3]}', undefined],
    ['{"a":[[[1]]]}', undefined],
    ['{"a":[[[[1]]]]}', { limit: 'depth', path: ['a', 0, 0, 0] }],
    ['{"a":{"b":[1,2,3,4]}}', { limit: 'array_items', path: ['a', 'b'] }],
    ['{"x":1,"msgs":[{"c":[0,0]},{"c":[0,0,0,0]}]}', { limit: 'array_items', path: ['msgs', 1, 'c'] }],
    // Brackets, commas and escaped quotes inside strings are text, not structure.
    ['{"s":"[[[[[,,,,,\\"]]]]]","t":[1]}', undefined],
    ['{"k\\"ey":{"é\\u00e9":[[[1]]]}}', { limit: 'depth', path: ['k"ey', 'éé', 0, 0] }],
    // Malformed JSON is JSON.parse's to refuse; the scan neither throws nor loops.
    ['{"a":"unterminated', undefined],
    [']]]]{', undefined],
  ])('%s', (json, breach) => {
    expect(check(json)).toEqual(breach);
  });

  it('counts every value of the body against its size limit', () => {
    const rows = JSON.stringify({ rows: Array.from({ length: 3 }, () => [1, 2, 3]), more: [1, 2, 3] });
    expect(check(rows, { ...LIMITS, maxItems: 12 })).toEqual({ limit: 'items', path: ['rows', 2] });
    expect(check(rows, { ...LIMITS, maxItems: 15 })).toEqual({ limit: 'items', path: ['more'] });
    expect(check(rows, { ...LIMITS, maxItems: 100 })).toBeUndefined();
  });

  it('names a megabyte key by its start only', () => {
    const breach = check(`{"${'k'.repeat(1_000_000)}":[[[[[1]]]]]}`);
    expect(breach!.path[0]).toBe(`${'k'.repeat(127)}…`);
  });

  it('refuses 3 million levels of nesting at once, before anything parses them', () => {
    const deep = Buffer.from(`${'['.repeat(3_000_000)}${']'.repeat(3_000_000)}`);
    expect(checkJsonLimits(deep)).toMatchObject({ limit: 'depth' });
  });
});

const post = (body: BodyInit, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  new Request('http://gateway/v1/chat/completions', { method: 'POST', body, headers });
const refusal = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('reading the body', () => {
  const json = '{"model":"m","messages":[]}';

  it('takes JSON with or without a charset, as application/*+json, or with no type at all', async () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset=UTF-8', 'application/vnd.api+json']) {
      await expect(readJson(post(json, { 'content-type': type }), 1000)).resolves.toEqual({ model: 'm', messages: [] });
    }
    await expect(readJson(post(Buffer.from(json), {}), 1000)).resolves.toEqual({ model: 'm', messages: [] });
  });

  it("refuses other content types as OpenAI's API does, quoting the type short", async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', `text/${'x'.repeat(100_000)}`]) {
      const error = await refusal(readJson(post(json, { 'content-type': type }), 1000));
      expect(error).toMatchObject({ status: 400, code: 'unsupported_content_type', type: 'invalid_request_error' });
      expect(error.message.length).toBeLessThan(300);
    }
  });

  it('decodes gzip, deflate and br bodies, counting decompressed bytes against the limit', async () => {
    await expect(readJson(post(gzipSync(json), { 'content-type': 'application/json', 'content-encoding': 'gzip' }), 1000)).resolves.toEqual({
      model: 'm',
      messages: [],
    });
    // 10 MB of spaces compress to about 10 KB: a bomb, refused by what it would become.
    const bomb = gzipSync(Buffer.concat([Buffer.from('{"model":"m","x":"'), Buffer.alloc(10_000_000, 0x20), Buffer.from('"}')]));
    expect(bomb.length).toBeLessThan(20_000);
    expect(await refusal(readJson(post(bomb, { 'content-encoding': 'gzip' }), 6_291_456))).toMatchObject({ status: 413, code: 'request_too_large' });
  });

  it('refuses a plain body that claims to be compressed, and encodings it does not decode', async () => {
    const as = (encoding: string) => ({ 'content-type': 'application/json', 'content-encoding': encoding });
    expect(await refusal(readJson(post(json, as('gzip')), 1000))).toMatchObject({ status: 400, code: 'invalid_body_encoding' });
    for (const encoding of ['compress', 'zstd', 'gzip, br']) {
      expect(await refusal(readJson(post(json, as(encoding)), 1000))).toMatchObject({
        status: 415,
        code: 'unsupported_content_encoding',
      });
    }
    await expect(readJson(post(json, as('identity')), 1000)).resolves.toBeDefined();
  });

  it('stops reading a chunked body at the limit', async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(1024).fill(0x20));
      },
    });
    const request = new Request('http://gateway/v1/chat/completions', { method: 'POST', body: endless, duplex: 'half' } as RequestInit);
    expect(await refusal(readJson(request, 10_000))).toMatchObject({ status: 413 });
    expect(pulled).toBeLessThan(20);
  });

  it('is a 499 client_closed_request when the body breaks off', async () => {
    const broken = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"model":'));
        controller.error(new Error('aborted'));
      },
    });
    const request = new Request('http://gateway/v1/chat/completions', { method: 'POST', body: broken, duplex: 'half' } as RequestInit);
    expect(await refusal(readJson(request, 10_000))).toMatchObject({ status: 499, code: 'client_closed_request' });
  });

  it('names the field that breaks a shape limit', async () => {
    const deep = `{"model":"m","messages":[{"role":"user","content":"x"}],"x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const error = await refusal(readJson(post(deep), 6_291_456));
    expect(error).toMatchObject({ status: 400, code: 'nesting_too_deep', param: expect.stringMatching(/^x\[0\]\[0\].*…$/) });
    const long = `{"model":"m","messages":[{"role":"user","content":[${'0,'.repeat(199_999)}0]}]}`;
    expect(await refusal(readJson(post(long), 6_291_456))).toMatchObject({ status: 400, code: 'array_too_long', param: 'messages[0].content' });
  });
});

describe('validation stops at the first invalid item', () => {
  it('records one issue for an array of a thousand bad items (zod honours abortEarly)', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: new Array(1000).fill(0) }] };
    const collected = chatRequestSchema.safeParse(body).error!.issues[0]!;
    const early = chatRequestSchema.safeParse(body, FIRST_ISSUE_ONLY).error!.issues[0]!;
    const branchIssues = (issue: typeof early) => (issue.code === 'invalid_union' ? issue.errors.reduce((n, e) => n + e.length, 0) : 1);
    expect(branchIssues(collected)).toBeGreaterThan(1000);
    expect(branchIssues(early)).toBeLessThanOrEqual(2);
  });

  it('names the first bad item as before', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'ok' }, ...new Array(90_000).fill({ type: 'nope' })] }] };
    expect(() => parseChatRequest(body)).toThrow(
      expect.objectContaining({ param: 'messages[0].content[1].type', message: expect.stringContaining('"nope" is not supported') }),
    );
    expect(() => parseEmbeddingsRequest({ model: 'e', input: [1, 2, ...new Array(90_000).fill('x')] })).toThrow(
      expect.objectContaining({ status: 400 }),
    );
  });
});

describe('error messages never echo a large client value', () => {
  it.each([
    ['a 5 MB role', { model: 'm', messages: [{ role: 'r'.repeat(5_000_000), content: 'x' }] }, 'messages[0].role'],
    [
      'a part type that is an object',
      { model: 'm', messages: [{ role: 'user', content: [{ type: { deep: ['x'.repeat(100_000)] } }] }] },
      'messages[0].content[0].type',
    ],
  ])('%s', (_name, body, param) => {
    try {
      parseChatRequest(body);
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toMatchObject({ status: 400, param });
      expect(JSON.stringify((error as GatewayError).toJSON()).length).toBeLessThan(400);
    }
  });

  it('caps any message and param as a backstop', () => {
    const error = new GatewayError(400, `upstream said: ${'x'.repeat(1_000_000)}`, { param: 'p'.repeat(10_000) });
    expect(error.message.length).toBeLessThanOrEqual(2001);
    expect(error.param!.length).toBeLessThanOrEqual(257);
  });
});
