import type { BuiltinTemplateName, ImagePresetName } from '../lambda/config/names.js';

/**
 * What a model's names say about it, for settings the config leaves out: the chat template of a
 * Hugging Face model id (LiteLLM's `hf_model_name`), and the image preset of a Qwen-VL.
 */
export function templateForModelId(modelId: string): BuiltinTemplateName | undefined {
  const id = modelId.toLowerCase();
  if (/qwen|yi-|chatml|hermes/.test(id)) return 'chatml';
  if (/llama-?3|llama3/.test(id)) return 'llama3';
  if (/mistral|mixtral/.test(id)) return 'mistral';
  if (/gemma/.test(id)) return 'gemma';
  return undefined;
}

/** The preset for a model whose names say it is a Qwen-VL (such as `qwen-vlm-private`). */
export function presetForNames(...names: (string | undefined)[]): ImagePresetName {
  return names.some((n) => n && /qwen[\w.-]*?vl/i.test(n)) ? 'qwen-vl' : 'default';
}
