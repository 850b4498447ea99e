import type { ModelConfig } from '../config/config.js';
import { hostedProvider } from './hosted/upstream.js';
import { configureHttpAgents } from './openai-http/http-post.js';
import { openAICompatibleServer } from './openai-http/upstream.js';
import { configureSageMakerClients, DEFAULT_SAGEMAKER_CONNECTIONS } from './sagemaker/clients.js';
import { sageMakerInvocations } from './sagemaker/upstream.js';
import { sageMakerOpenAIRoute } from './sagemaker-openai/upstream.js';
import type { TokenPrices, Upstream } from './upstream.js';

/**
 * The upstream kind of a configured model: the only place that tells them apart, so nothing above
 * this folder knows which cloud or server a model is on.
 */
export function upstreamOf(model: ModelConfig): Upstream {
  if (model.provider === 'openai') return (model.hosted ? hostedProvider : openAICompatibleServer) as Upstream;
  return (model.route === 'openai' ? sageMakerOpenAIRoute : sageMakerInvocations) as Upstream;
}

/** What a deployment's tokens cost: the config's prices, else its upstream's list price, else none. */
export const pricesOf = (model: ModelConfig): TokenPrices | undefined => model.prices ?? upstreamOf(model).listPrice?.(model);

/** Connection settings of the transports made from now on: once per container, before the models are built. */
export function configureTransports({ maxConnections }: { maxConnections?: number }): void {
  const max = maxConnections ?? DEFAULT_SAGEMAKER_CONNECTIONS.maxConnections;
  configureSageMakerClients({ maxConnections: max });
  configureHttpAgents(max);
}

export { invokeJson } from './invoke-json.js';
export type { BodyLimit, Transport } from './transport.js';
export { payloadTooLarge } from './transport.js';
export type { TokenPrices, Upstream, UpstreamTransports } from './upstream.js';
