import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener, type Http2Bindings, type HttpBindings, RequestError } from '@hono/node-server';
import type { GatewayConfig } from '../lambda/core/config.js';
import { GatewayError } from '../lambda/core/gateway-error.js';
import { log } from '../lambda/core/log.js';
import { createGateway, type GatewayOverrides } from '../lambda/gateway.js';
import { teiContainer } from './emulators/embedding-containers.js';
import { openAIChatContainer } from './emulators/openai-chat-container.js';
import { SageMakerRuntimeEmulator } from './emulators/sagemaker-runtime.js';
import { answerMalformedRequest } from './malformed-http.js';

export interface LocalGateway {
  url: string;
  close(): Promise<void>;
}

/**
 * The same Hono app as on Lambda, on a Node HTTP server. Node's own limits do not cap concurrency
 * (no `maxConnections`; its timeouts bound receiving a request, not answering it), so the gateway's
 * SageMaker connection pool (`gateway.max_connections`) is what bounds concurrent model calls. What
 * Node or the adapter refuses before the app sees it (malformed HTTP, a bad Host header) is answered
 * in OpenAI's error shape too, as the app answers everything else.
 */
export async function serveGateway(
  config: GatewayConfig,
  { port = 8080, host = '127.0.0.1', overrides }: { port?: number; host?: string; overrides?: GatewayOverrides } = {},
): Promise<LocalGateway> {
  const { app } = createGateway(config, overrides);
  const listener = getRequestListener(withNodeShortcuts(app.fetch), { hostname: host, errorHandler: adapterError });
  const server: Server = createServer(listener);
  server.on('clientError', answerMalformedRequest);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * What @hono/node-server throws before or around the app: a request it cannot turn into a web
 * Request (a bad Host header, an invalid absolute URL) is the client's 400; anything else is ours.
 * Its default answers have empty bodies.
 */
function adapterError(error: unknown): Response {
  const gatewayError =
    error instanceof RequestError
      ? new GatewayError(400, `The request could not be read: ${error.message}.`, { code: 'invalid_request' })
      : new GatewayError(500, 'The gateway failed to process the request.', { code: 'internal_error', cause: error });
  if (gatewayError.status >= 500) log.error('unexpected error', { error: String(error), stack: (error as Error).stack });
  return new Response(JSON.stringify(gatewayError.toJSON()), { status: gatewayError.status, headers: { 'content-type': 'application/json' } });
}

type NodeFetch = (request: Request, env: HttpBindings | Http2Bindings) => Response | Promise<Response>;

/**
 * Two shortcuts around @hono/node-server's generic paths:
 * - A body that arrived with its headers (every ordinary chat request) is taken from the socket's
 *   buffer at once and handed over as `incoming.rawBody`, the buffer node-server reads bodies from
 *   when a host already holds them, instead of a round of stream events (about 0.07 ms before the
 *   SageMaker call in `npm run bench`).
 * - A stream's headers go out in the same write as its first chunk: node-server flushes them on their
 *   own, a second packet and a second wake-up for the client before the first token. The app answers
 *   a stream only once its first chunk is ready, so holding the headers back delays nothing.
 */
function withNodeShortcuts(fetch: NodeFetch): NodeFetch {
  return async (request, env) => {
    // An HTTP/1.1 server (see serve() above), so these are IncomingMessage and ServerResponse.
    const { incoming, outgoing } = env as HttpBindings;
    // Resumes after the parser has gone through the packet that carried the request line and headers.
    await undefined;
    const length = Number(incoming.headers['content-length']);
    if (length > 0 && incoming.readableLength === length) (incoming as { rawBody?: Buffer }).rawBody = receivedBody(incoming);
    const response = await fetch(request, env);
    if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
      outgoing.cork();
      // Runs once the headers and the already-available first chunk have been written.
      setImmediate(() => outgoing.uncork());
    }
    return response;
  };
}

/** The whole body of a request, all of it already in the stream's buffer. */
function receivedBody(incoming: HttpBindings['incoming']): Buffer {
  const parts: Buffer[] = [];
  for (let part: Buffer | null = incoming.read(); part !== null; part = incoming.read()) parts.push(part);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/**
 * The demo's SageMaker: a local emulator hosting the `sagegate-demo` container, with the SDK pointed at
 * it through its standard variable. Demo credentials are set so real ones are never used for it.
 */
export async function startDemoSageMaker(tokenDelayMs = 25): Promise<SageMakerRuntimeEmulator> {
  const credentials = { accessKeyId: 'sagegate-demo', secretAccessKey: 'sagegate-demo' };
  const emulator = new SageMakerRuntimeEmulator(undefined, credentials);
  emulator.addEndpoint('sagegate-demo', openAIChatContainer({ tokenDelayMs }));
  emulator.addEndpoint('sagegate-demo-embed', teiContainer());
  await emulator.start();
  process.env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME = emulator.url;
  process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  process.env.AWS_REGION ??= 'us-east-1';
  return emulator;
}
