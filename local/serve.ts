import type { AddressInfo } from 'node:net';
import { type Http2Bindings, type HttpBindings, type ServerType, serve } from '@hono/node-server';
import type { GatewayConfig } from '../lambda/core/config.js';
import { createGateway, type Gateway, type GatewayOverrides } from '../lambda/gateway.js';
import { PendingWork } from '../lambda/http/after-response.js';
import { teiContainer } from './emulators/embedding-containers.js';
import { openAIChatContainer } from './emulators/openai-chat-container.js';
import { SageMakerRuntimeEmulator } from './emulators/sagemaker-runtime.js';

export interface LocalGateway {
  url: string;
  gateway: Gateway;
  /** Resolves once work after the responses so far (metering) has finished. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** The same Hono app as on Lambda, on a Node HTTP server. */
export async function serveGateway(
  config: GatewayConfig,
  { port = 8080, host = '127.0.0.1', overrides }: { port?: number; host?: string; overrides?: GatewayOverrides } = {},
): Promise<LocalGateway> {
  const gateway = createGateway(config, overrides);
  // Work after the response (metering) runs on; Node does not freeze the process as Lambda does.
  const after = new PendingWork();
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: withNodeShortcuts(gateway.app.fetch, after), port, hostname: host }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    gateway,
    settled: async () => void (await after.settle(10_000)),
    close: async () => {
      await new Promise<void>((resolve) => {
        (server as import('node:http').Server).closeAllConnections?.();
        server.close(() => resolve());
      });
      await after.settle(5000);
    },
  };
}

type NodeFetch = (request: Request, env: HttpBindings | Http2Bindings) => Response | Promise<Response>;
type AppFetch = (request: Request, env: HttpBindings | Http2Bindings, executionCtx: PendingWork['executionContext']) => Response | Promise<Response>;

/**
 * The app with an execution context (its `waitUntil` collects work after the response, as the Lambda
 * adapter's does), and two shortcuts around @hono/node-server's generic paths:
 * - A body that arrived with its headers (every ordinary chat request) is taken from the socket's
 *   buffer at once and handed over as `incoming.rawBody`, the buffer node-server reads bodies from
 *   when a host already holds them, instead of a round of stream events (about 0.07 ms before the
 *   SageMaker call in `npm run bench`).
 * - A stream's headers go out in the same write as its first chunk: node-server flushes them on their
 *   own, a second packet and a second wake-up for the client before the first token. The app answers
 *   a stream only once its first chunk is ready, so holding the headers back delays nothing.
 */
function withNodeShortcuts(fetch: AppFetch, after: PendingWork): NodeFetch {
  return async (request, env) => {
    // An HTTP/1.1 server (see serve() above), so these are IncomingMessage and ServerResponse.
    const { incoming, outgoing } = env as HttpBindings;
    // Resumes after the parser has gone through the packet that carried the request line and headers.
    await undefined;
    const length = Number(incoming.headers['content-length']);
    if (length > 0 && incoming.readableLength === length) (incoming as { rawBody?: Buffer }).rawBody = receivedBody(incoming);
    const response = await fetch(request, env, after.executionContext);
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
