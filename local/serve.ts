import { serve, type HttpBindings, type Http2Bindings, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { GatewayConfig } from '../lambda/config/types.js';
import { createGateway, type GatewayOverrides } from '../lambda/gateway.js';
import { createApp } from '../lambda/http/app.js';
import { openAIChatContainer } from './emulators/openai-chat-container.js';
import { SageMakerRuntimeEmulator } from './emulators/sagemaker-runtime.js';

export interface LocalGateway {
  url: string;
  close(): Promise<void>;
}

/** The same Hono app as on Lambda, on a Node HTTP server. */
export async function serveGateway(
  config: GatewayConfig,
  { port = 8080, host = '127.0.0.1', overrides }: { port?: number; host?: string; overrides?: GatewayOverrides } = {},
): Promise<LocalGateway> {
  const app = createApp(createGateway(config, overrides));
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: withStreamHeadInFirstWrite(app.fetch), port, hostname: host }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        (server as import('node:http').Server).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

type NodeFetch = (request: Request, env: HttpBindings | Http2Bindings) => Response | Promise<Response>;

/**
 * Sends a stream's headers and first chunk in one write. @hono/node-server flushes the headers of a
 * streamed body on their own, a second packet and a second wake-up for the client before the first
 * token; the app answers a stream only once its first chunk is ready, so holding the headers back
 * until then delays nothing.
 */
function withStreamHeadInFirstWrite(fetch: NodeFetch): NodeFetch {
  return async (request, env) => {
    const response = await fetch(request, env);
    if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
      // An HTTP/1.1 server (see serve() below), so the response is a ServerResponse.
      const outgoing = env.outgoing as HttpBindings['outgoing'];
      outgoing.cork();
      // Runs once the headers and the already-available first chunk have been written.
      setImmediate(() => outgoing.uncork());
    }
    return response;
  };
}

/**
 * The demo's SageMaker: a local emulator hosting the `sagegate-demo` container, with the SDK pointed at
 * it through its standard variable. Demo credentials are set so real ones are never used for it.
 */
export async function startDemoSageMaker(tokenDelayMs = 25): Promise<SageMakerRuntimeEmulator> {
  const emulator = new SageMakerRuntimeEmulator();
  emulator.addEndpoint('sagegate-demo', openAIChatContainer({ tokenDelayMs }));
  await emulator.start();
  process.env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME = emulator.url;
  process.env.AWS_ACCESS_KEY_ID = 'sagegate-demo';
  process.env.AWS_SECRET_ACCESS_KEY = 'sagegate-demo';
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  process.env.AWS_REGION ??= 'us-east-1';
  return emulator;
}
