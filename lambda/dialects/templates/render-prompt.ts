import type { ChatTemplateConfig } from '../../core/config.js';
import type { ChatMessage } from '../../openai/chat-request.js';
import { BUILTIN_TEMPLATES, type TemplateSpec } from './builtin-templates.js';

type Compiled = { render(context: Record<string, unknown>): string };

/** Compiled templates, one per spec, kept for the container's life. */
const compiled = new Map<string, Promise<Compiled>>();

export function templateSpec(config: ChatTemplateConfig | undefined): TemplateSpec {
  if (!config || 'builtin' in config) return BUILTIN_TEMPLATES[config?.builtin ?? 'chatml'];
  return { source: config.source, bosToken: config.bosToken ?? '', eosToken: config.eosToken ?? '', stop: config.stop ?? [] };
}

/**
 * The prompt for a conversation. Content parts become text; images are inlined as markdown
 * (`![](url)`), the form TGI's generate route reads. The Jinja engine is loaded on first use only,
 * so models that take `messages` never pay for it.
 */
export async function renderPrompt(spec: TemplateSpec, messages: ChatMessage[]): Promise<string> {
  let template = compiled.get(spec.source);
  if (!template) {
    template = import('@huggingface/jinja').then(({ Template }) => new Template(spec.source));
    compiled.set(spec.source, template);
  }
  return (await template).render({
    messages: messages.map((m) => ({ role: m.role, content: flatten(m.content) })),
    add_generation_prompt: true,
    bos_token: spec.bosToken,
    eos_token: spec.eosToken,
  });
}

function flatten(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content
    .map((part) => (part.type === 'text' ? part.text : `![](${typeof part.image_url === 'string' ? part.image_url : part.image_url.url})`))
    .join('');
}
