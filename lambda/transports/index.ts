import type { ModelConfig } from '../core/config.js';
import { OpenAIHttpTransport } from './openai-http/transport.js';
import { SageMakerTransport } from './sagemaker/transport.js';
import type { Transport } from './transport.js';

/**
 * The transports of a configured model: how its chat and embedding payloads travel. The only place
 * that picks a transport by provider, so nothing above this folder knows which cloud a model is on.
 */
export function transportsFor(model: ModelConfig): { chat: Transport; completions: Transport; embeddings: Transport } {
  if (model.provider === 'openai') return OpenAIHttpTransport.forModel(model);
  const sagemaker = new SageMakerTransport(model);
  return { chat: sagemaker, completions: sagemaker, embeddings: sagemaker };
}

export { invokeJson } from './invoke-json.js';
export type { BodyLimit, Transport } from './transport.js';
export { payloadTooLarge } from './transport.js';
