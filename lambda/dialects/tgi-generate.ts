import type { ChatRequest } from '../openai/chat-request.js';
import type { ModelConfig } from '../config/types.js';
import type { ChatDialect } from './dialect.js';
import { assertPlainGeneration, decodeGeneratedText, generationParameters, promptFor, tokenStreamDecoder } from './text-generation.js';

const NAME = 'tgi-generate';

/**
 * Hugging Face TGI's generate payload `{"inputs","parameters","stream"}`: the conversation rendered
 * with the model's chat template; images inline as `![](data:...)`; `response_format` as TGI's grammar.
 */
export const tgiGenerate: ChatDialect = {
  name: NAME,
  streams: true,
  usage: 'partial',

  async encodeRequest(request: ChatRequest, model: ModelConfig, stream: boolean) {
    assertPlainGeneration(request, model, NAME);
    const parameters: Record<string, unknown> = { ...generationParameters(request, model, 'stop'), return_full_text: false };
    const format = request.response_format;
    if (format?.type === 'json_object') parameters.grammar = { type: 'json', value: { type: 'object' } };
    if (format?.type === 'json_schema') {
      const schema = (format as { json_schema?: { schema?: unknown } }).json_schema?.schema;
      if (schema) parameters.grammar = { type: 'json', value: schema };
    }
    return { inputs: await promptFor(request, model), parameters, stream };
  },

  decodeResponse: (body, model) => decodeGeneratedText(body, model, NAME),
  createStreamDecoder: (model) => tokenStreamDecoder(model, NAME),
};
