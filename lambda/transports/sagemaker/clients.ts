import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { AbortableHttpHandler, passAbortSignals } from './abort-signals.js';
import { connectionRetries } from './connection-retries.js';

/**
 * One client per region, created once per container and reused by every request, so connections
 * and credentials are shared. The SDK reads AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME itself, which is how
 * the local emulator and the tests point it elsewhere.
 */
const clients = new Map<string, SageMakerRuntimeClient>();

export function sageMakerClient(region: string | undefined): SageMakerRuntimeClient {
  // Keyed on the endpoint override too, so a gateway built after it changes (tests) gets its own client.
  const key = `${region ?? ''} ${process.env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME ?? process.env.AWS_ENDPOINT_URL ?? ''}`;
  let client = clients.get(key);
  if (!client) {
    client = new SageMakerRuntimeClient({
      ...(region ? { region } : {}),
      // Only a call that got no answer at all is retried here (a stale keep-alive socket after a
      // Lambda freeze); statuses are the router's (connection-retries.ts).
      retryStrategy: connectionRetries,
      // Resolve the middleware chain once per command type, not on every request (measured: the
      // largest single cost of a request in the benchmark). Streams keep it too: see abort-signals.ts.
      cacheMiddleware: true,
      requestHandler: new AbortableHttpHandler(),
    });
    passAbortSignals(client);
    reuseSigner(client);
    clients.set(key, client);
  }
  return client;
}

/**
 * The SDK builds a new SigV4 signer for every call, copying the whole client config into it (measured:
 * about 14% of a call's SDK time in a hot loop). The signing region and service of a client never change and the signer
 * still asks the client's credential provider on every call, so one signer per client serves them all.
 */
function reuseSigner(client: SageMakerRuntimeClient): void {
  const newSigner = client.config.signer;
  let signer: ReturnType<typeof newSigner> | undefined;
  client.config.signer = (authScheme) =>
    (signer ??= newSigner(authScheme).catch((error: unknown) => {
      signer = undefined; // a failure (no region yet, say) is not kept
      throw error;
    }));
}
