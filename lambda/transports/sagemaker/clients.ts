import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { AssumeRoleConfig } from '../../core/config.js';
import { AbortableHttpHandler, passAbortSignals } from './abort-signals.js';
import { assumedRoleCredentials } from './assume-role.js';

/**
 * One client per region (and per assumed role), created once per container and reused by every
 * request, so connections and credentials are shared. The SDK reads AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME
 * itself, which is how the local emulator and the tests point it elsewhere. Credentials come from the
 * default provider chain (Lambda's, ECS's task role...), or from STS for a model with a role to assume.
 */
const clients = new Map<string, SageMakerRuntimeClient>();

export function sageMakerClient(region: string | undefined, role?: AssumeRoleConfig): SageMakerRuntimeClient {
  // Keyed on the endpoint override too, so a gateway built after it changes (tests) gets its own client.
  let key = `${region ?? ''} ${process.env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME ?? process.env.AWS_ENDPOINT_URL ?? ''}`;
  if (role) key += ` ${role.roleArn} ${role.sessionName ?? ''} ${process.env.AWS_ENDPOINT_URL_STS ?? ''}`;
  let client = clients.get(key);
  if (!client) {
    client = new SageMakerRuntimeClient({
      ...(region ? { region } : {}),
      ...(role && { credentials: assumedRoleCredentials(role, region) }),
      // The official OpenAI SDKs retry 429 and 5xx themselves; one SDK retry covers a stale
      // keep-alive socket after a Lambda freeze without multiplying the client's own retries.
      maxAttempts: 2,
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
