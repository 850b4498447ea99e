import { generateDialect } from './text-generation.js';

/**
 * Hugging Face TGI's generate payload `{"inputs","parameters","stream"}`: the conversation rendered
 * with the model's chat template; images inline as `![](data:...)`; `response_format` as TGI's grammar.
 */
export const tgiGenerate = generateDialect('tgi-generate', {
  stopKey: 'stop',
  passed: ['seed', 'frequency_penalty', 'top_k', 'repetition_penalty', 'typical_p', 'truncate'],
  mapped: ['response_format'],
  extra(request) {
    const extra: Record<string, unknown> = { return_full_text: false };
    const format = request.response_format;
    if (format?.type === 'json_object') extra.grammar = { type: 'json', value: { type: 'object' } };
    if (format?.type === 'json_schema') {
      const schema = (format as { json_schema?: { schema?: unknown } }).json_schema?.schema;
      if (schema) extra.grammar = { type: 'json', value: schema };
    }
    return extra;
  },
});
