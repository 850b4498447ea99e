/**
 * The SageMaker route's floor, for the hop comparison: the least a Hono gateway on @hono/node-server
 * can do to answer an OpenAI chat request from a SageMaker endpoint. It reads and parses the JSON body
 * (a gateway must, to know the model), looks the model's endpoint up, makes the same SDK call as
 * sagegate (InvokeEndpoint, or InvokeEndpointWithResponseStream for `stream: true`) on the same client
 * (lambda/upstreams/sagemaker/clients.ts: its connection pool, timeouts, retries, cached middleware
 * and reused signer), and relays the payload bytes as they come: no auth, no validation, no
 * translation, no metering, no log line. What sagegate adds over it is sagegate's own work.
 *   minimal-hono-sagemaker.ts '{"<model>": "<endpoint>", ...}'
 * The benchmark bundles it as it bundles the gateway (bench/hop.ts). Prints its URL.
 */
import type { AddressInfo } from 'node:net';
import { InvokeEndpointCommand, InvokeEndpointWithResponseStreamCommand } from '@aws-sdk/client-sagemaker-runtime';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { sageMakerClient } from '../lambda/upstreams/sagemaker/clients.js';

const endpoints = new Map<string, string>(Object.entries(JSON.parse(process.argv[2] ?? '{}')));
const client = sageMakerClient(process.env.AWS_REGION ?? 'us-east-1');
const app = new Hono();

app.post('/v1/chat/completions', async (c) => {
  const request = JSON.parse(await c.req.text()) as { model?: string; stream?: boolean };
  const EndpointName = endpoints.get(request.model ?? '');
  if (!EndpointName) return c.json({ error: { message: 'unknown model' } }, 404);
  const Body = JSON.stringify(request);
  if (!request.stream) {
    const out = await client.send(new InvokeEndpointCommand({ EndpointName, ContentType: 'application/json', Accept: 'application/json', Body }));
    const bytes: Uint8Array = out.Body ?? new Uint8Array();
    return new Response(bytes as Uint8Array<ArrayBuffer>, {
      headers: { 'content-type': 'application/json', 'content-length': String(bytes.byteLength) },
    });
  }
  const out = await client.send(new InvokeEndpointWithResponseStreamCommand({ EndpointName, ContentType: 'application/json', Body }));
  const events = out.Body![Symbol.asyncIterator]();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const { done, value } = await events.next();
        if (done) return controller.close();
        if (value.PayloadPart?.Bytes) return controller.enqueue(value.PayloadPart.Bytes);
      }
    },
    cancel: () => void events.return?.(),
  });
  // "chunked", as sagegate's streams say: without it node-server reads ahead to size the body.
  return new Response(body, { headers: { 'content-type': 'text/event-stream', 'transfer-encoding': 'chunked' } });
});

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
  console.log(JSON.stringify({ url: `http://127.0.0.1:${info.port}` })),
);
server.on('error', (error) => {
  console.error(error);
  process.exit(1);
});

// A clean exit on SIGTERM, so `node --cpu-prof` can write its profile (npm run profile -- --floor).
process.once('SIGTERM', () => process.exit(0));
