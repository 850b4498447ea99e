import type { ModelConfig, SageMakerModel } from '../config/config.js';
import { hostedProvider } from './hosted/upstream.js';
import { type UpstreamKind, upstreamKind } from './kind.js';
import { configureHttpAgents } from './openai-http/http-post.js';
import { openAICompatibleServer } from './openai-http/upstream.js';
import { configureSageMakerClients, DEFAULT_SAGEMAKER_CONNECTIONS } from './sagemaker/clients.js';
import { sageMakerInvocations } from './sagemaker/upstream.js';
import { sageMakerOpenAIRoute } from './sagemaker-openai/upstream.js';
import type { TokenPrices, Upstream } from './upstream.js';

/**
 * The upstream of a configured model, by its kind (kind.ts): nothing above this folder knows which
 * cloud or server a model is on.
 */
export const upstreamOf = (model: ModelConfig): Upstream => BY_KIND[upstreamKind(model)];

const BY_KIND = {
  sagemaker: sageMakerInvocations,
  'sagemaker-openai': sageMakerOpenAIRoute,
  'openai-http': openAICompatibleServer,
  hosted: hostedProvider,
} as Record<UpstreamKind, Upstream>;

/** What a deployment's tokens cost: the config's prices, else its upstream's list price, else none. */
export const pricesOf = (model: ModelConfig): TokenPrices | undefined => model.prices ?? upstreamOf(model).listPrice?.(model);

/**
 * What a server should say at start about credentials its models need and cannot find (undefined when
 * all is well): SageMaker models sign with the AWS credentials of the process.
 */
export async function missingCredentials(models: readonly ModelConfig[]): Promise<string | undefined> {
  const sagemaker = models.find((m): m is SageMakerModel => m.provider === 'sagemaker');
  if (!sagemaker) return undefined;
  const { awsCredentialsFound } = await import('./sagemaker/credentials-check.js');
  if (await awsCredentialsFound(sagemaker.region)) return undefined;
  return 'no AWS credentials found, so SageMaker calls will fail: give the server a role (ECS task role, EC2 instance profile) or set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
}

/** Connection settings of the transports made from now on: once per container, before the models are built. */
export function configureTransports({ maxConnections }: { maxConnections?: number }): void {
  const max = maxConnections ?? DEFAULT_SAGEMAKER_CONNECTIONS.maxConnections;
  configureSageMakerClients({ maxConnections: max });
  configureHttpAgents(max);
}

export { invokeJson } from './invoke-json.js';
export type { Relay, RelayedAnswer, RelayedEvent, RelayRequest } from './relay.js';
export type { BodyLimit, Transport } from './transport.js';
export { payloadTooLarge } from './transport.js';
export type { TokenPrices, Upstream, UpstreamTransports } from './upstream.js';
