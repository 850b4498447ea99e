import { gzipSync } from 'node:zlib';
import { GatewayError } from '../../../lambda/core/gateway-error.js';
import { readJson } from '../../../lambda/http/read-json.js';

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
