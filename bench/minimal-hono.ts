/**
 * The least a Hono gateway on @hono/node-server can do, for the hop comparison: read the JSON body,
 * parse it (a gateway must, to know the model), send it on with Node's HTTP client over a kept-alive
 * connection, and answer with the upstream's body as a web stream, as sagegate's app does. No auth,
 * no validation, no translation, none of the local server's shortcuts (bench/gateway-server.ts serves
 * sagegate through local/serve.ts): what it adds over the bare proxy is the framework's own price.
 *   minimal-hono.ts <upstream origin>
 * Prints its URL.
 */
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const upstream = new URL(process.argv[2]!);
const agent = new Agent({ keepAlive: true });
const app = new Hono();

app.post('/v1/chat/completions', async (c) => {
  const body = JSON.stringify(JSON.parse(await c.req.text()));
  const answer = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: '/v1/chat/completions',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        agent,
      },
      resolve,
    );
    forward.on('error', reject);
    forward.end(body);
  });
  // The upstream's length, or "chunked": without either, node-server reads ahead to size the body.
  const length = answer.headers['content-length'];
  const headers: Record<string, string> = {
    'content-type': answer.headers['content-type'] ?? 'application/json',
    ...(length ? { 'content-length': length } : { 'transfer-encoding': 'chunked' }),
  };
  return new Response(Readable.toWeb(answer) as ReadableStream<Uint8Array>, { status: answer.statusCode, headers });
});

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
  console.log(JSON.stringify({ url: `http://127.0.0.1:${info.port}` })),
);
server.on('error', (error) => {
  console.error(error);
  process.exit(1);
});
