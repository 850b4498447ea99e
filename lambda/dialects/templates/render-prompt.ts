import type { ChatTemplateConfig } from '../../config/config.js';
import type { ChatMessage } from '../../openai/chat-request.js';
import { toolFamilyOf } from '../tool-calls/index.js';
import { BUILTIN_TEMPLATES, type TemplateSpec } from './builtin-templates.js';

type Compiled = { render(context: Record<string, unknown>): string };

/** Compiled templates, one per spec, kept for the container's life. */
const compiled = new Map<string, Promise<Compiled>>();

export function templateSpec(config: ChatTemplateConfig | undefined): TemplateSpec {
  if (!config || 'builtin' in config) return BUILTIN_TEMPLATES[config?.builtin ?? 'chatml'];
  const tools = toolFamilyOf(config.source);
  return {
    source: config.source,
    bosToken: config.bosToken ?? '',
    eosToken: config.eosToken ?? '',
    stop: config.stop ?? [],
    ...(tools && { tools }),
  };
}

export interface RenderOptions {
  /** OpenAI tool objects, for templates that render them. */
  tools?: unknown[];
  /** Extra template variables (vLLM's `chat_template_kwargs`, such as `enable_thinking`). */
  kwargs?: Record<string, unknown>;
}

/**
 * The prompt for a conversation, with Hugging Face's template variables: `messages` (content as text,
 * `tool_calls` with their arguments as objects, as templates expect them, `tool_call_id`,
 * `reasoning_content`), `tools`, `add_generation_prompt`, the special tokens and any kwargs. Images are
 * inlined as markdown (`![](url)`), the form TGI's generate route reads. The Jinja engine is loaded on
 * first use only, so models that take `messages` never pay for it.
 */
export async function renderPrompt(spec: TemplateSpec, messages: ChatMessage[], options: RenderOptions = {}): Promise<string> {
  let template = compiled.get(spec.source);
  if (!template) {
    template = import('@huggingface/jinja').then(({ Template }) => new Template(spec.source));
    compiled.set(spec.source, template);
  }
  const ids = spec.tools === 'mistral' ? mistralId : (id: string) => id;
  return (await template).render({
    ...options.kwargs,
    messages: messages.map((m) => templateMessage(m, ids)),
    ...(options.tools?.length && { tools: options.tools }),
    add_generation_prompt: true,
    bos_token: spec.bosToken,
    eos_token: spec.eosToken,
  });
}

const opensThinking = new Map<string, Promise<boolean>>();

/**
 * Whether the template opens a `<think>` block in the prompt (QwQ, DeepSeek-R1, Qwen3 thinking
 * models), so the answer starts inside it and only `</think>` appears. Found once per template and
 * kwargs by rendering a one-line conversation.
 */
export function templateOpensThinking(spec: TemplateSpec, kwargs?: Record<string, unknown>): Promise<boolean> {
  if (!spec.source.includes('<think>')) return Promise.resolve(false);
  const key = `${kwargs ? JSON.stringify(kwargs) : ''}\u0000${spec.source}`;
  let known = opensThinking.get(key);
  if (!known) {
    known = renderPrompt(spec, [{ role: 'user', content: 'x' }], { kwargs }).then(
      (prompt) => /<think>\s*$/.test(prompt),
      () => false,
    );
    if (opensThinking.size < 100) opensThinking.set(key, known);
  }
  return known;
}

function templateMessage(m: ChatMessage, ids: (id: string) => string): Record<string, unknown> {
  const out: Record<string, unknown> = { role: m.role, content: flatten(m.content) };
  const extra = m as Record<string, unknown>;
  if (Array.isArray(extra.tool_calls) && extra.tool_calls.length) {
    out.tool_calls = (extra.tool_calls as { id?: string; type?: string; function: { name: string; arguments: string } }[]).map((call) => ({
      id: ids(call.id ?? ''),
      type: 'function',
      function: { name: call.function.name, arguments: argumentsValue(call.function.arguments) },
    }));
  }
  if (typeof extra.tool_call_id === 'string') out.tool_call_id = ids(extra.tool_call_id);
  if (typeof extra.name === 'string') out.name = extra.name;
  if (typeof extra.reasoning_content === 'string') out.reasoning_content = extra.reasoning_content;
  return out;
}

/** Templates write arguments with `tojson`: an object, as vLLM and SGLang give them (a string would be quoted twice). */
function argumentsValue(text: string): unknown {
  try {
    const value = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : text;
  } catch {
    return text;
  }
}

/** Mistral's templates and models insist on call ids of exactly nine letters and digits. */
export function mistralId(id: string): string {
  const alnum = id.replace(/[^A-Za-z0-9]/g, '');
  return alnum.length >= 9 ? alnum.slice(-9) : alnum.padStart(9, '0');
}

function flatten(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content
    .map((part) => (part.type === 'text' ? part.text : `![](${typeof part.image_url === 'string' ? part.image_url : part.image_url.url})`))
    .join('');
}
