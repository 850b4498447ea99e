import type { ModelConfig } from '../core/config.js';
import { isEmbeddingDialect } from '../core/names.js';
import { configureHttpAgents } from './openai-http/http-post.js';
import { OpenAIHttpTransport } from './openai-http/transport.js';
import { configureSageMakerClients, DEFAULT_SAGEMAKER_CONNECTIONS } from './sagemaker/clients.js';
import { SageMakerTransport } from './sagemaker/transport.js';
import { SageMakerOpenAITransport } from './sagemaker-openai/transport.js';
import type { Transport } from './transport.js';

/**
 * The transports of a configured model: how its chat and embedding payloads travel, for the kinds of
 * request it answers (an OpenAI-compatible server answers both; a SageMaker container one). The only
 * place that picks a transport by provider, so nothing above this folder knows which cloud a model is on.
 */
export function transportsFor(model: ModelConfig): { chat?: Transport; completions?: Transport; embeddings?: Transport } {
  if (model.provider === 'openai') return OpenAIHttpTransport.forModel(model);
  // The config allows the OpenAI-compatible route for openai-chat chat models only (it serves nothing else).
  if (model.route === 'openai') {
    const route = new SageMakerOpenAITransport(model);
    return { chat: route };
  }
  const sagemaker = new SageMakerTransport(model);
  return isEmbeddingDialect(model.dialect) ? { embeddings: sagemaker } : { chat: sagemaker, completions: sagemaker };
}

/** Where a deployment's requests go, as an operator reads it (never a key), and the component it names. */
export function describeTarget(model: ModelConfig): Record<string, string> {
  if (model.provider === 'openai') return { provider: model.hosted ?? 'openai-compatible', base_url: model.baseUrl };
  return {
    provider: 'sagemaker',
    endpoint: model.endpoint,
    ...(model.inferenceComponent && { inference_component: model.inferenceComponent }),
    ...(model.region && { region: model.region }),
  };
}

/** Connection settings of the transports made from now on: once per container, before the models are built. */
export function configureTransports({ maxConnections }: { maxConnections?: number }): void {
  const max = maxConnections ?? DEFAULT_SAGEMAKER_CONNECTIONS.maxConnections;
  configureSageMakerClients({ maxConnections: max });
  configureHttpAgents(max);
}

export { invokeJson } from './invoke-json.js';
export type { BodyLimit, Transport } from './transport.js';
export { payloadTooLarge } from './transport.js';
