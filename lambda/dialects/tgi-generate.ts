import type { ToolPlan } from './text-generation.js';
import { generateDialect } from './text-generation.js';

/**
 * Hugging Face TGI's generate payload `{"inputs","parameters","stream"}`: the conversation rendered
 * with the model's chat template; images inline as `![](data:...)`; `response_format` as TGI's JSON
 * grammar, and a forced tool call (`required`, a named tool) as a grammar of the call itself.
 */
export const tgiGenerate = generateDialect('tgi-generate', {
  stopKey: 'stop',
  passed: ['seed', 'frequency_penalty', 'top_k', 'repetition_penalty', 'typical_p', 'truncate'],
  mapped: ['response_format'],
  grammar: true,
  extra(request, plan) {
    const extra: Record<string, unknown> = { return_full_text: false };
    const format = request.response_format;
    if (format?.type === 'json_object') extra.grammar = { type: 'json', value: { type: 'object' } };
    if (format?.type === 'json_schema') {
      const schema = (format as { json_schema?: { schema?: unknown } }).json_schema?.schema;
      extra.grammar = { type: 'json', value: schema ?? { type: 'object' } };
    }
    if (plan.forced && plan.tools) extra.grammar = { type: 'json', value: callSchema(plan) };
    return extra;
  },
});

/** The JSON of one call to any of the plan's tools: `{"name": <one of them>, "arguments": <its parameters>}`. */
function callSchema(plan: ToolPlan): Record<string, unknown> {
  const calls = plan.tools!.map((tool) => ({
    type: 'object',
    properties: { name: { const: tool.function.name }, arguments: tool.function.parameters ?? { type: 'object' } },
    required: ['name', 'arguments'],
  }));
  return calls.length === 1 ? calls[0]! : { anyOf: calls };
}
