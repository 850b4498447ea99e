import type { ChatRequest } from '../openai/chat-request.js';
import type { ModelConfig } from '../config/types.js';
import type { ChatDialect } from './dialect.js';
import { assertPlainGeneration, decodeGeneratedText, generationParameters, promptFor, tokenStreamDecoder } from './text-generation.js';

const NAME = 'lmi-rolling-batch';

/**
 * AWS LMI (DJL Serving: vLLM, lmi-dist, TensorRT-LLM) rolling batch: `{"inputs","parameters","stream"}`
 * with `stop_sequences`; streams JSON lines (or TGI's SSE form when the container is set to it).
 */
export const lmiRollingBatch: ChatDialect = {
  name: NAME,
  streams: true,
  usage: 'partial',

  async encodeRequest(request: ChatRequest, model: ModelConfig, stream: boolean) {
    assertPlainGeneration(request, model, NAME);
    return { inputs: await promptFor(request, model), parameters: generationParameters(request, model, 'stop_sequences'), stream };
  },

  decodeResponse: (body, model) => decodeGeneratedText(body, model, NAME),
  createStreamDecoder: (model) => tokenStreamDecoder(model, NAME),
};
