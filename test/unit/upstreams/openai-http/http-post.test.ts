import { getEventListeners } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyChunks, httpPost, postTarget, readAll } from '../../../../lambda/upstreams/openai-http/http-post.js';

/** httpPost against a real local server that answers as `answer` says. */
let server: Server;
let answer: (res: ServerResponse) => void;
let received = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    received++;
    req.resume();
    req.on('end', () => answer(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const target = () => postTarget(new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`));
const post = (signal: AbortSignal) => httpPost(target(), { 'content-type': 'application/json' }, '{}', signal);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

describe('httpPost', () => {
  it('sends nothing when the signal was aborted already', async () => {
    const before = received;
    const cancel = new AbortController();
    cancel.abort(new Error('gone'));
    await expect(post(cancel.signal)).rejects.toMatchObject({ name: 'AbortError' });
    await pause(20);
    expect(received).toBe(before);
  });

  it('gives up waiting for the answer when the signal aborts', async () => {
    answer = () => undefined; // never answers
    const cancel = new AbortController();
    const pending = post(cancel.signal);
    await pause(20);
    cancel.abort(new Error('gone'));
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('cuts a body being read when the signal aborts midway', async () => {
    answer = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: 1\n\n');
    };
    const cancel = new AbortController();
    const chunks = bodyChunks(await post(cancel.signal), (error) => Object.assign(new Error('mapped'), { cause: error }));
    expect((await chunks.next()).value?.toString()).toBe('data: 1\n\n');
    const next = chunks.next();
    cancel.abort(new Error('gone'));
    await expect(next).rejects.toThrow('mapped');
  });

  it('leaves no listener on the signal once the answer has been read', async () => {
    answer = (res) => res.end('{"ok":true}');
    const signal = new AbortController().signal;
    expect((await readAll(await post(signal))).toString()).toBe('{"ok":true}');
    await pause(10);
    expect(listeners(signal)).toBe(0);
  });
});
