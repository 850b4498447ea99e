import type { SageMakerModel } from '../../config/config.js';
import { isEmbeddingDialect } from '../../config/names.js';
import type { Upstream } from '../upstream.js';
import { SageMakerTransport } from './transport.js';

/** Where a SageMaker deployment's requests go: its endpoint, inference component and region. */
export const describeSageMaker = (model: SageMakerModel): Record<string, string> => ({
  provider: 'sagemaker',
  endpoint: model.endpoint,
  ...(model.inferenceComponent && { inference_component: model.inferenceComponent }),
  ...(model.region && { region: model.region }),
});

/** InvokeEndpoint and its streaming twin: any container format; a container serves chat or embeddings. */
export const sageMakerInvocations: Upstream<SageMakerModel> = {
  transports(model) {
    const transport = new SageMakerTransport(model);
    return isEmbeddingDialect(model.dialect) ? { embeddings: transport } : { chat: transport, completions: transport };
  },
  describe: describeSageMaker,
  modelField: (model) => model.servedModelName,
};
