import type { FimFormat } from '../../config/names.js';

/**
 * Fill-in-the-middle prompts of the code models that were trained for it (docs/wire-facts.md §8):
 * the prefix and suffix around the model's sentinel tokens, and the markers that end the middle.
 */
export const FIM_FORMATS: Record<FimFormat, { render(prefix: string, suffix: string): string; stop: string[] }> = {
  // Qwen2.5-Coder
  qwen: {
    render: (prefix, suffix) => `<|fim_prefix|>${prefix}<|fim_suffix|>${suffix}<|fim_middle|>`,
    stop: ['<|endoftext|>', '<|fim_pad|>', '<|file_sep|>', '<|im_end|>', '<|fim_prefix|>'],
  },
  // StarCoder, StarCoder2, SantaCoder
  starcoder: {
    render: (prefix, suffix) => `<fim_prefix>${prefix}<fim_suffix>${suffix}<fim_middle>`,
    stop: ['<|endoftext|>', '<file_sep>', '<fim_prefix>'],
  },
  // Code Llama
  codellama: { render: (prefix, suffix) => `<PRE> ${prefix} <SUF>${suffix} <MID>`, stop: [' <EOT>', '<EOT>', '</s>'] },
  // DeepSeek-Coder
  deepseek: {
    render: (prefix, suffix) => `<｜fim▁begin｜>${prefix}<｜fim▁hole｜>${suffix}<｜fim▁end｜>`,
    stop: ['<｜end▁of▁sentence｜>', '<|EOT|>'],
  },
  // Codestral
  codestral: { render: (prefix, suffix) => `[SUFFIX]${suffix}[PREFIX]${prefix}`, stop: ['</s>'] },
};

/** The FIM format a model's names say it has (Qwen2.5-Coder, StarCoder, Code Llama, DeepSeek-Coder, Codestral). */
export function fimFormatOf(...names: (string | undefined)[]): FimFormat | undefined {
  const all = names.filter(Boolean).join(' ').toLowerCase();
  if (/qwen[\w.-]*coder/.test(all)) return 'qwen';
  if (/starcoder|santacoder/.test(all)) return 'starcoder';
  if (/codellama|code-llama/.test(all)) return 'codellama';
  if (/deepseek[\w.-]*coder/.test(all)) return 'deepseek';
  if (/codestral/.test(all)) return 'codestral';
  return undefined;
}
