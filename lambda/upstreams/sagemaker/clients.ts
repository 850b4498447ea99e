import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { awsHttpHandlerOptions } from '../../aws/client-policy.js';
import type { AssumeRoleConfig } from '../../config/config.js';
import { AbortableHttpHandler, passAbortSignals } from './abort-signals.js';
import { assumedRoleCredentials } from './assume-role.js';
import { connectionRetries } from './connection-retries.js';

/**
 * One client per region (and per assumed role), created once per container and reused by every
 * request, so connections and credentials are shared. The SDK reads AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME
 * itself, which is how the local emulator and the tests point it elsewhere. Credentials come from the
 * default provider chain (Lambda's, ECS's task role...), or from STS for a model with a role to assume.
 */
const clients = new Map<string, SageMakerRuntimeClient>();

export interface SageMakerConnectionSettings {
  /**
   * Connections per SageMaker host, which is how many calls can be in flight at once: a call beyond it
   * waits in the SDK's queue. A Lambda container serves one request at a time (a few embedding
   * batches at most), so this matters to the local server, which serves many at once: the SDK's
   * default of 50 queued a one-line request behind 50 slow streams (`gateway.max_connections`).
   */
  maxConnections: number;
  /**
   * Silence on a call's connection after which it is given up (a 504 `upstream_timeout`). SageMaker
   * ends calls whose container takes over 60 s itself; AWS advises a 70 s socket timeout for models
   * that take 50-60 s (docs/wire-facts.md §12). This catches a connection that was accepted and then
   * never answered, which otherwise waits for good on the local server (and until the deadline on Lambda).
   */
  idleTimeoutMs: number;
  connectionTimeoutMs: number;
}

export const DEFAULT_SAGEMAKER_CONNECTIONS: SageMakerConnectionSettings = { maxConnections: 1000, idleTimeoutMs: 70_000, connectionTimeoutMs: 3000 };

let settings = DEFAULT_SAGEMAKER_CONNECTIONS;

/** Sets the connection pool and timeouts of the clients made from now on (the gateway's config, once per container). */
export function configureSageMakerClients(next: Partial<SageMakerConnectionSettings>): void {
  settings = { ...settings, ...next };
}

export function sageMakerClient(region: string | undefined, role?: AssumeRoleConfig): SageMakerRuntimeClient {
  // Keyed on the endpoint override and settings too, so a gateway built after they change (tests) gets its own client.
  let key = `${region ?? ''} ${process.env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME ?? process.env.AWS_ENDPOINT_URL ?? ''} ${JSON.stringify(settings)}`;
  if (role) key += ` ${role.roleArn} ${role.sessionName ?? ''} ${process.env.AWS_ENDPOINT_URL_STS ?? ''}`;
  let client = clients.get(key);
  if (!client) {
    client = new SageMakerRuntimeClient({
      ...(region ? { region } : {}),
      ...(role && { credentials: assumedRoleCredentials(role, region) }),
      // Only a call that got no answer at all is retried here (a stale keep-alive socket after a
      // Lambda freeze) or a passing throttle; 5xx answers are the router's (connection-retries.ts).
      retryStrategy: connectionRetries,
      // Resolve the middleware chain once per command type, not on every request (measured: the
      // largest single cost of a request in the benchmark). Streams keep it too: see abort-signals.ts.
      cacheMiddleware: true,
      requestHandler: new AbortableHttpHandler(
        awsHttpHandlerOptions({
          connectionTimeoutMs: settings.connectionTimeoutMs,
          idleTimeoutMs: settings.idleTimeoutMs,
          maxSockets: settings.maxConnections,
        }),
      ),
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
