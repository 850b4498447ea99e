import type { BuiltinTemplateName } from '../../config/names.js';
import type { ToolCallFamily } from '../tool-calls/index.js';

/**
 * Chat templates for the common model families, for containers that take a prompt string
 * (TGI generate, LMI rolling batch, JumpStart). Never fetched from a hub at run time: a model's own
 * template can be given in the config instead (inline or from a file). `stop` lists the end-of-turn
 * markers that must never reach the client. `tools` names how the family writes tool calls, for the
 * templates that render tools (docs/wire-facts.md §8); the others refuse them.
 */
export interface TemplateSpec {
  source: string;
  bosToken: string;
  eosToken: string;
  stop: string[];
  tools?: ToolCallFamily;
}

// Families without a system role fold the system message into the first user turn.
const SPLIT_SYSTEM =
  "{%- if messages[0].role == 'system' %}{% set system = messages[0].content + '\\n\\n' %}{% set turns = messages[1:] %}" +
  "{%- else %}{% set system = '' %}{% set turns = messages %}{% endif %}";

// Hugging Face renders with trim_blocks: a newline right after a block tag is dropped, so such
// newlines are written inside expressions.

/** Qwen2.5's tool prompt (Hermes style): the tools as JSON lines in the system turn. */
const CHATML_TOOLS =
  '{%- if tools %}<|im_start|>system\n' +
  "{% if messages[0].role == 'system' %}{{ messages[0].content + '\\n\\n' }}{% set ns.start = 1 %}{% endif %}" +
  '# Tools\n\nYou may call one or more functions to assist with the user query.\n\n' +
  'You are provided with function signatures within <tools></tools> XML tags:\n<tools>' +
  "{% for tool in tools %}{{ '\\n' + (tool | tojson) }}{% endfor %}{{ '\\n</tools>' }}" +
  '\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n' +
  '<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call><|im_end|>\n{% endif %}';

const CHATML_TURNS =
  '{%- for m in messages[ns.start:] %}' +
  "{%- if m.role == 'tool' %}" +
  "{%- if loop.first or messages[ns.start:][loop.index0 - 1].role != 'tool' %}{{ '<|im_start|>user' }}{% endif %}" +
  "{{- '\\n<tool_response>\\n' + m.content + '\\n</tool_response>' }}" +
  "{%- if loop.last or messages[ns.start:][loop.index0 + 1].role != 'tool' %}{{ '<|im_end|>\\n' }}{% endif %}" +
  "{%- elif m.role == 'assistant' and m.tool_calls %}{{ '<|im_start|>assistant' }}{% if m.content %}{{ '\\n' + m.content }}{% endif %}" +
  '{%- for tc in m.tool_calls %}{{ \'\\n<tool_call>\\n{"name": "\' + tc.function.name + \'", "arguments": \' + (tc.function.arguments | tojson) + \'}\\n</tool_call>\' }}{% endfor %}' +
  "{{- '<|im_end|>\\n' }}" +
  "{%- else %}{{ '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}{% endif %}{% endfor %}";

/** Llama 3.1's custom-tool prompt, in the system turn (its `tools_in_user_message=false` form). */
const LLAMA3_TOOLS =
  "{%- if tools %}{{ '<|start_header_id|>system<|end_header_id|>\\n\\nEnvironment: ipython\\n\\n' }}" +
  'You have access to the following functions. To call a function, please respond with JSON for a function call. ' +
  'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}. Do not use variables.\n\n' +
  "{% for t in tools %}{{ (t | tojson(indent=4)) + '\\n\\n' }}{% endfor %}" +
  "{% if messages[0].role == 'system' %}{{ messages[0].content | trim }}{% set ns.start = 1 %}{% endif %}{{ '<|eot_id|>' }}{% endif %}";

const LLAMA3_TURNS =
  '{%- for m in messages[ns.start:] %}' +
  "{%- if m.role == 'tool' or m.role == 'ipython' %}{{ '<|start_header_id|>ipython<|end_header_id|>\\n\\n' + (m.content | trim) + '<|eot_id|>' }}" +
  "{%- elif m.role == 'assistant' and m.tool_calls %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}" +
  "{%- for tc in m.tool_calls %}{% if not loop.first %}{{ '; ' }}{% endif %}{{ '{\"name\": \"' + tc.function.name + '\", \"parameters\": ' + (tc.function.arguments | tojson) + '}' }}{% endfor %}{{ '<|eot_id|>' }}" +
  "{%- else %}{{ '<|start_header_id|>' + m.role + '<|end_header_id|>\\n\\n' + (m.content | trim) + '<|eot_id|>' }}{% endif %}{% endfor %}";

/** Mistral v3: the tools before the last user turn, calls and results as JSON (ids of 9 letters and digits). */
const MISTRAL_TURNS =
  "{%- for m in turns %}{% if m.role == 'user' %}{% set ns.lastUser = loop.index0 %}{% endif %}{% endfor %}" +
  '{{ bos_token }}{%- for m in turns %}' +
  "{%- if m.role == 'user' %}{% if tools and loop.index0 == ns.lastUser %}{{ '[AVAILABLE_TOOLS] ' + (tools | tojson) + '[/AVAILABLE_TOOLS]' }}{% endif %}" +
  "{{- '[INST] ' + (system if loop.first else '') + m.content + ' [/INST]' }}" +
  "{%- elif m.role == 'tool' %}{{ '[TOOL_RESULTS] {\"content\": ' + (m.content | tojson) + ', \"call_id\": \"' + m.tool_call_id + '\"}[/TOOL_RESULTS]' }}" +
  "{%- elif m.role == 'assistant' and m.tool_calls %}{{ '[TOOL_CALLS] [' }}" +
  '{%- for tc in m.tool_calls %}{% if not loop.first %}{{ \', \' }}{% endif %}{{ \'{"name": "\' + tc.function.name + \'", "arguments": \' + (tc.function.arguments | tojson) + \', "id": "\' + tc.id + \'"}\' }}{% endfor %}' +
  "{{- ']' + eos_token }}" +
  '{%- else %}{{ m.content + eos_token }}{% endif %}{% endfor %}';

const NS = '{%- set ns = namespace(start=0, lastUser=-1) %}';

export const BUILTIN_TEMPLATES: Record<BuiltinTemplateName, TemplateSpec> = {
  // Qwen, Yi, Hermes, many fine-tunes.
  chatml: {
    source: `${NS}${CHATML_TOOLS}${CHATML_TURNS}{%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}`,
    bosToken: '',
    eosToken: '<|im_end|>',
    stop: ['<|im_end|>', '<|endoftext|>'],
    tools: 'hermes',
  },
  llama3: {
    source:
      NS +
      '{{ bos_token }}' +
      LLAMA3_TOOLS +
      LLAMA3_TURNS +
      "{%- if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}",
    bosToken: '<|begin_of_text|>',
    eosToken: '<|eot_id|>',
    stop: ['<|eot_id|>', '<|end_of_text|>', '<|eom_id|>'],
    tools: 'llama3_json',
  },
  mistral: {
    source: NS + SPLIT_SYSTEM + MISTRAL_TURNS,
    bosToken: '<s>',
    eosToken: '</s>',
    stop: ['</s>'],
    tools: 'mistral',
  },
  gemma: {
    source:
      SPLIT_SYSTEM +
      '{{ bos_token }}{%- for m in turns %}' +
      "{{ '<start_of_turn>' + ('model' if m.role == 'assistant' else 'user') + '\\n' + (system if loop.first else '') + (m.content | trim) + '<end_of_turn>\\n' }}{% endfor %}" +
      "{%- if add_generation_prompt %}{{ '<start_of_turn>model\\n' }}{% endif %}",
    bosToken: '<bos>',
    eosToken: '<end_of_turn>',
    stop: ['<end_of_turn>', '<eos>'],
  },
  // Models without a chat format (older JumpStart text models).
  plain: {
    source: "{%- for m in messages %}{{ m.role + ': ' + m.content + '\\n' }}{% endfor %}{%- if add_generation_prompt %}{{ 'assistant:' }}{% endif %}",
    bosToken: '',
    eosToken: '',
    stop: [],
  },
};
