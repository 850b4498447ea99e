import type { SageMakerModel } from '../../config/config.js';
import { describeSageMaker } from '../sagemaker/upstream.js';
import type { Upstream } from '../upstream.js';
import { SageMakerOpenAITransport } from './transport.js';

/** The endpoint's OpenAI-compatible chat route (the config allows it for `openai-chat` chat models only). */
export const sageMakerOpenAIRoute: Upstream<SageMakerModel> = {
  transports: (model) => ({ chat: new SageMakerOpenAITransport(model) }),
  describe: describeSageMaker,
  // Called as AWS's own samples call it: the served name, else "" (docs/wire-facts.md §9).
  modelField: (model) => model.servedModelName ?? '',
};
