import type { BuiltinTemplateName } from '../../core/names.js';

/**
 * Chat templates for the common model families, for containers that take a prompt string
 * (TGI generate, LMI rolling batch, JumpStart). Never fetched from a hub at run time: a model's own
 * template can be given in the config instead (inline or from a file). `stop` lists the end-of-turn
 * markers that must never reach the client.
 */
export interface TemplateSpec {
  source: string;
  bosToken: string;
  eosToken: string;
  stop: string[];
}

// Families without a system role fold the system message into the first user turn.
const SPLIT_SYSTEM =
  "{%- if messages[0].role == 'system' %}{% set system = messages[0].content + '\\n\\n' %}{% set turns = messages[1:] %}" +
  "{%- else %}{% set system = '' %}{% set turns = messages %}{% endif %}";

export const BUILTIN_TEMPLATES: Record<BuiltinTemplateName, TemplateSpec> = {
  // Qwen, Yi, many fine-tunes.
  chatml: {
    source:
      "{%- for m in messages %}{{ '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}{% endfor %}" +
      "{%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
    bosToken: '',
    eosToken: '<|im_end|>',
    stop: ['<|im_end|>', '<|endoftext|>'],
  },
  llama3: {
    source:
      '{{ bos_token }}{%- for m in messages %}' +
      "{{ '<|start_header_id|>' + m.role + '<|end_header_id|>\\n\\n' + (m.content | trim) + '<|eot_id|>' }}{% endfor %}" +
      "{%- if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}",
    bosToken: '<|begin_of_text|>',
    eosToken: '<|eot_id|>',
    stop: ['<|eot_id|>', '<|end_of_text|>', '<|eom_id|>'],
  },
  mistral: {
    source:
      SPLIT_SYSTEM +
      '{{ bos_token }}{%- for m in turns %}' +
      "{%- if m.role == 'user' %}{{ '[INST] ' + (system if loop.first else '') + m.content + ' [/INST]' }}" +
      '{%- else %}{{ m.content + eos_token }}{% endif %}{% endfor %}',
    bosToken: '<s>',
    eosToken: '</s>',
    stop: ['</s>'],
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
