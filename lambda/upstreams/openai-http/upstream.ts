import type { OpenAIModel } from '../../config/config.js';
import type { Upstream } from '../upstream.js';
import { OpenAIHttpTransport } from './transport.js';

/** Any OpenAI-compatible server (vLLM, TGI, Ollama, a proxy): chat, raw prompts and embeddings over HTTP(S). */
export const openAICompatibleServer: Upstream<OpenAIModel> = {
  transports: (model) => OpenAIHttpTransport.forModel(model),
  describe: (model) => ({ provider: model.hosted ?? 'openai-compatible', base_url: model.baseUrl }),
  // Servers such as vLLM reject a model name that is not their served name: that, or nothing.
  modelField: (model) => model.servedModelName,
};
