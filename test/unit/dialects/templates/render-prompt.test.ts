import { templateForModelId } from '../../../../config/model-names.js';
import { BUILTIN_TEMPLATES } from '../../../../lambda/dialects/templates/builtin-templates.js';
import { renderPrompt } from '../../../../lambda/dialects/templates/render-prompt.js';
import type { ChatMessage } from '../../../../lambda/openai/chat-request.js';

const conversation: ChatMessage[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: '日本の首都は？' },
  { role: 'assistant', content: '東京です。' },
  {
    role: 'user',
    content: [
      { type: 'text', text: 'And this? ' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
    ],
  },
];

describe('built-in chat templates', () => {
  it('ChatML (Qwen) keeps the system role and ends with the assistant header', async () => {
    expect(await renderPrompt(BUILTIN_TEMPLATES.chatml, conversation)).toBe(
      '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n日本の首都は？<|im_end|>\n<|im_start|>assistant\n東京です。<|im_end|>\n' +
        '<|im_start|>user\nAnd this? ![](data:image/png;base64,AAAA)<|im_end|>\n<|im_start|>assistant\n',
    );
  });

  it('Llama 3 uses its header tokens and begin_of_text', async () => {
    const prompt = await renderPrompt(BUILTIN_TEMPLATES.llama3, conversation.slice(0, 2));
    expect(prompt).toBe(
      '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>' +
        '<|start_header_id|>user<|end_header_id|>\n\n日本の首都は？<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
    );
  });

  it('Mistral folds the system message into the first [INST]', async () => {
    expect(await renderPrompt(BUILTIN_TEMPLATES.mistral, conversation.slice(0, 3))).toBe(
      '<s>[INST] Be brief.\n\n日本の首都は？ [/INST]東京です。</s>',
    );
  });

  it('Gemma calls the assistant "model" and folds the system message', async () => {
    expect(await renderPrompt(BUILTIN_TEMPLATES.gemma, conversation.slice(0, 2))).toBe(
      '<bos><start_of_turn>user\nBe brief.\n\n日本の首都は？<end_of_turn>\n<start_of_turn>model\n',
    );
  });

  it('picks a template from a Hugging Face model id', () => {
    expect(templateForModelId('Qwen/Qwen2.5-7B-Instruct')).toBe('chatml');
    expect(templateForModelId('meta-llama/Meta-Llama-3.1-8B-Instruct')).toBe('llama3');
    expect(templateForModelId('mistralai/Mixtral-8x7B-Instruct-v0.1')).toBe('mistral');
    expect(templateForModelId('google/gemma-2-9b-it')).toBe('gemma');
    expect(templateForModelId('tiiuae/falcon-7b')).toBeUndefined();
  });
});
