import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyChunks } from '../../../../lambda/upstreams/openai-http/http-post.js';

/** A real HTTP answer from a local server that writes as `answer` says, read through `bodyChunks`. */
let server: Server;
let answer: (res: ServerResponse) => void;
beforeAll(async () => {
  server = createServer((_req, res) => answer(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const get = () =>
  new Promise<IncomingMessage>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/' }, resolve);
    req.on('error', reject);
    req.end();
  });
const failed = (error: unknown) => Object.assign(new Error('mapped'), { cause: error });
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('bodyChunks', () => {
  it('yields the body as it arrives, in order, then ends', async () => {
    answer = async (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const part of ['a', 'b', 'c']) {
        res.write(part);
        await pause(5);
      }
      res.end('d');
    };
    let text = '';
    for await (const chunk of bodyChunks(await get(), failed)) text += chunk.toString();
    expect(text).toBe('abcd');
  });

  it('holds the upstream back while the reader is behind, and loses nothing', async () => {
    const big = 'x'.repeat(64 * 1024);
    answer = (res) => {
      res.writeHead(200);
      for (let i = 0; i < 64; i++) res.write(big);
      res.end();
    };
    const message = await get();
    const chunks = bodyChunks(message, failed);
    let bytes = (await chunks.next()).value.length;
    await pause(50);
    // Paused with what had arrived queued, not reading 4 MB into memory.
    expect(message.isPaused()).toBe(true);
    for await (const chunk of chunks) bytes += chunk.length;
    expect(bytes).toBe(64 * big.length);
    expect(message.complete).toBe(true);
  });

  it('fails with the mapped error when the body is cut short', async () => {
    answer = (res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
      setTimeout(() => res.destroy(), 10);
    };
    const chunks = bodyChunks(await get(), failed);
    const read = async () => {
      for await (const _ of chunks);
    };
    await expect(read()).rejects.toThrow('mapped');
  });

  it('closes the connection when the reader leaves early', async () => {
    answer = (res) => {
      res.writeHead(200);
      res.write('first');
    };
    const message = await get();
    const chunks = bodyChunks(message, failed);
    expect((await chunks.next()).value.toString()).toBe('first');
    await chunks.return!();
    expect(message.destroyed).toBe(true);
  });
});
