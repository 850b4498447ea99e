import { invalidRequest } from '../core/gateway-error.js';
import type { ChatMessage, ChatRequest, ContentPart } from '../openai/chat-request.js';
import { TOOL_PARAM } from '../openai/chat-types.js';
import { mergedSystem } from '../openai/merged-system.js';
import type { AnthropicMessage, ContentBlock, CountTokensRequest, MessagesRequest } from './messages-request.js';

/**
 * An Anthropic Messages request as the gateway's chat request, so that every model (every dialect,
 * transport and router) answers it:
 * - `system` (a string or text blocks) and `system` messages become system messages;
 * - user text and images (base64 and URL sources, through the same image path as chat), text
 *   documents as text;
 * - assistant `text`, `thinking` (as `reasoning_content`) and `tool_use` blocks become one assistant
 *   message with `tool_calls`; `tool_result` blocks become `tool` messages, ahead of the user's other
 *   content, as chat templates expect a result right after its call;
 * - tools as functions, `tool_choice` as chat's (`any` is `required`), `thinking` budgets and
 *   `output_config.effort` as `reasoning_effort`, `output_config.format` as a JSON schema answer.
 * Stop sequences are not handed down: the gateway cuts the answer at them itself (`stop-sequences.ts`),
 * which is how it knows which one ended it.
 */
export function toChatRequest(request: MessagesRequest): ChatRequest {
  const chat: Record<string, unknown> = {
    ...chatPrompt(request),
    model: request.model,
    max_tokens: request.max_tokens,
    // The answer is always read as a stream: a stop sequence then ends generation at once.
    stream: true,
    stream_options: { include_usage: true },
  };
  if (request.temperature !== undefined) chat.temperature = request.temperature;
  if (request.top_p !== undefined) chat.top_p = request.top_p;
  if (request.top_k !== undefined) chat.top_k = request.top_k;
  if (request.metadata?.user_id) chat.user = request.metadata.user_id;
  return chat as ChatRequest;
}

/** What count_tokens counts: the prompt (system, messages, tools) as the model would see it. */
export function chatPrompt(request: MessagesRequest | CountTokensRequest): Record<string, unknown> & { messages: ChatMessage[] } {
  const chat: Record<string, unknown> & { messages: ChatMessage[] } = { model: request.model, messages: chatMessages(request) };
  if (chat.messages.length === 0) throw invalidRequest('messages: at least one message is required.', 'messages');
  const tools = (request.tools ?? []).map(chatTool);
  const choice = request.tool_choice;
  if (tools.length && choice?.type !== 'none') {
    chat.tools = tools;
    if (choice?.type === 'any') chat.tool_choice = 'required';
    if (choice?.type === 'tool') {
      if (!choice.name) throw invalidRequest('tool_choice.name: Field required', 'tool_choice.name');
      if (!request.tools!.some((t) => t.name === choice.name)) {
        throw invalidRequest(`tool_choice.name: '${choice.name}' is not one of the tools offered in 'tools'.`, 'tool_choice.name');
      }
      chat.tool_choice = { type: 'function', function: { name: choice.name } };
    }
    if (choice?.disable_parallel_tool_use) chat.parallel_tool_calls = false;
  } else if (tools.length) {
    // `none` with tools: the tools stay in the prompt (templates render them), no call may be made.
    chat.tools = tools;
    chat.tool_choice = 'none';
  }
  const effort = reasoningEffort(request);
  if (effort) chat.reasoning_effort = effort;
  const format = request.output_config?.format;
  if (format) chat.response_format = { type: 'json_schema', json_schema: { name: 'output', schema: format.schema } };
  return chat;
}

/**
 * Anthropic's thinking budget as chat's effort: the budgets Anthropic's docs suggest for each depth
 * (a few thousand tokens, around ten thousand, more). `adaptive` and `disabled` leave it to the model.
 */
function reasoningEffort(request: MessagesRequest | CountTokensRequest): string | undefined {
  const effort = request.output_config?.effort;
  if (effort) return effort === 'xhigh' || effort === 'max' ? 'high' : effort;
  const thinking = request.thinking;
  if (thinking?.type !== 'enabled' || thinking.budget_tokens === undefined) return undefined;
  if (thinking.budget_tokens < 4096) return 'low';
  return thinking.budget_tokens < 16384 ? 'medium' : 'high';
}

function chatTool(tool: NonNullable<MessagesRequest['tools']>[number], i: number): Record<string | symbol, unknown> {
  const param = `tools[${i}]`;
  // Anthropic's server and schema-less tools (web_search_..., bash_..., text_editor_...): the model
  // refuses them by name (or drops them, with drop_params), as it does OpenAI's hosted tools.
  if (tool.type && tool.type !== 'custom') return { type: tool.type, [TOOL_PARAM]: param };
  if (!tool.name || !/^[a-zA-Z0-9_-]{1,128}$/.test(tool.name)) {
    throw invalidRequest(`${param}.name: a tool needs a name of 1 to 128 letters, digits, '_' and '-'.`, `${param}.name`);
  }
  if (!tool.input_schema) throw invalidRequest(`${param}.input_schema: Field required`, `${param}.input_schema`);
  return {
    type: 'function',
    function: { name: tool.name, ...(tool.description && { description: tool.description }), parameters: tool.input_schema },
  };
}

function chatMessages(request: MessagesRequest | CountTokensRequest): ChatMessage[] {
  const messages: Record<string, unknown>[] = [];
  if (request.system !== undefined) {
    const text = systemText(request.system, 'system');
    if (text) messages.push({ role: 'system', content: text });
  }
  // Assistant turns before this one lose their thinking (a `clear_thinking` edit keeping the last few).
  const firstKept = request.messages.filter((m) => m.role === 'assistant').length - keptThinkingTurns(request);
  let turn = 0;
  request.messages.forEach((message, i) => {
    const param = `messages[${i}]`;
    if (message.role === 'system') messages.push({ role: 'system', content: systemText(message.content, `${param}.content`) });
    else if (message.role === 'assistant') messages.push(assistantMessage(message, param, turn++ >= firstKept));
    else messages.push(...userMessages(message, param));
  });
  return mergedSystem(messages) as ChatMessage[];
}

/** How many of the latest assistant turns keep their thinking (`clear_thinking` edits); all, unless told. */
function keptThinkingTurns(request: MessagesRequest | CountTokensRequest): number {
  let kept = Number.POSITIVE_INFINITY;
  for (const edit of request.context_management?.edits ?? []) {
    if (typeof edit.keep === 'object') kept = Math.min(kept, edit.keep.value);
  }
  return kept;
}

function systemText(content: string | ContentBlock[], param: string): string {
  if (typeof content === 'string') return content;
  return content
    .map((block, j) => {
      if (block.type !== 'text') throw unsupportedBlock(block, `${param}[${j}]`, 'system prompts take text blocks only');
      return textOf(block, `${param}[${j}]`);
    })
    .join('\n\n');
}

/** A user turn: its tool results first (one `tool` message each), then its text and images. */
function userMessages(message: AnthropicMessage, param: string): Record<string, unknown>[] {
  if (typeof message.content === 'string') return [{ role: 'user', content: message.content }];
  const results: Record<string, unknown>[] = [];
  const parts: ContentPart[] = [];
  message.content.forEach((block, j) => {
    const at = `${param}.content[${j}]`;
    switch (block.type) {
      case 'text':
        parts.push({ type: 'text', text: textOf(block, at) });
        break;
      case 'image':
        parts.push(imagePart(block, at));
        break;
      case 'document':
        parts.push({ type: 'text', text: documentText(block, at) });
        break;
      case 'tool_result':
        results.push(toolMessage(block, at));
        break;
      default:
        throw unsupportedBlock(block, at, 'user turns take text, image, document (text) and tool_result blocks');
    }
  });
  const out = [...results];
  if (parts.length) out.push({ role: 'user', content: parts.every((p) => p.type === 'text') ? parts.map((p) => p.text).join('\n') : parts });
  return out;
}

/** An assistant turn: text, thinking (as `reasoning_content`, so a reasoning template can replay it) and calls. */
function assistantMessage(message: AnthropicMessage, param: string, keepThinking: boolean): Record<string, unknown> {
  if (typeof message.content === 'string') return { role: 'assistant', content: message.content };
  const texts: string[] = [];
  const thinking: string[] = [];
  const calls: unknown[] = [];
  message.content.forEach((block, j) => {
    const at = `${param}.content[${j}]`;
    switch (block.type) {
      case 'text':
        texts.push(textOf(block, at));
        break;
      case 'thinking':
        if (keepThinking && typeof block.thinking === 'string' && block.thinking) thinking.push(block.thinking);
        break;
      case 'redacted_thinking':
        throw invalidRequest(
          `${at}: redacted thinking (encrypted by Anthropic's own models) cannot be read by a self-hosted model: remove the block.`,
          `${at}.type`,
        );
      case 'tool_use': {
        const id = requiredString(block.id, `${at}.id`);
        const name = requiredString(block.name, `${at}.name`);
        calls.push({ id, type: 'function', function: { name, arguments: JSON.stringify(block.input ?? {}) } });
        break;
      }
      default:
        throw unsupportedBlock(block, at, 'assistant turns take text, thinking and tool_use blocks');
    }
  });
  const out: Record<string, unknown> = { role: 'assistant', content: texts.length ? texts.join('') : null };
  if (thinking.length) out.reasoning_content = thinking.join('\n');
  if (calls.length) out.tool_calls = calls;
  return out;
}

/**
 * A tool's result as a `tool` message: text (blocks joined), images kept as image parts. Chat has no
 * error flag, so an error result says so in its text.
 */
function toolMessage(block: ContentBlock, at: string): Record<string, unknown> {
  const id = requiredString(block.tool_use_id, `${at}.tool_use_id`);
  const raw = block.content;
  const parts: ContentPart[] = [];
  if (typeof raw === 'string') parts.push({ type: 'text', text: raw });
  else if (Array.isArray(raw)) {
    raw.forEach((inner: ContentBlock, k) => {
      const innerAt = `${at}.content[${k}]`;
      if (inner?.type === 'text') parts.push({ type: 'text', text: textOf(inner, innerAt) });
      else if (inner?.type === 'image') parts.push(imagePart(inner, innerAt));
      else if (inner?.type === 'document') parts.push({ type: 'text', text: documentText(inner, innerAt) });
      else throw unsupportedBlock(inner, innerAt, 'tool results take text, image and document (text) blocks');
    });
  } else if (raw !== undefined && raw !== null) {
    throw invalidRequest(`${at}.content: expected a string or an array of content blocks.`, `${at}.content`);
  }
  if (block.is_error === true) parts.unshift({ type: 'text', text: 'Error:' });
  const textOnly = parts.every((p) => p.type === 'text');
  return { role: 'tool', tool_call_id: id, content: textOnly ? parts.map((p) => (p as { text: string }).text).join('\n') : parts };
}

const MEDIA_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

function imagePart(block: ContentBlock, at: string): ContentPart {
  const source = block.source as { type?: unknown; media_type?: unknown; data?: unknown; url?: unknown } | undefined;
  if (source?.type === 'base64') {
    if (typeof source.media_type !== 'string' || !MEDIA_TYPES.has(source.media_type)) {
      throw invalidRequest(
        `${at}.source.media_type: expected one of 'image/jpeg', 'image/png', 'image/gif', 'image/webp'.`,
        `${at}.source.media_type`,
      );
    }
    if (typeof source.data !== 'string' || !source.data) throw invalidRequest(`${at}.source.data: Field required`, `${at}.source.data`);
    return { type: 'image_url', image_url: { url: `data:${source.media_type};base64,${source.data}` } };
  }
  if (source?.type === 'url') {
    if (typeof source.url !== 'string' || !source.url) throw invalidRequest(`${at}.source.url: Field required`, `${at}.source.url`);
    return { type: 'image_url', image_url: { url: source.url } };
  }
  throw invalidRequest(
    `${at}.source.type: images need a 'base64' or 'url' source here (Anthropic file ids cannot be read by this gateway).`,
    `${at}.source.type`,
  );
}

/** A document the model can read as text: a plain-text source, or content blocks of text. */
function documentText(block: ContentBlock, at: string): string {
  const source = block.source as { type?: unknown; data?: unknown; content?: unknown } | undefined;
  const title = typeof block.title === 'string' && block.title ? `${block.title}\n\n` : '';
  if (source?.type === 'text' && typeof source.data === 'string') return title + source.data;
  if (source?.type === 'content') {
    if (typeof source.content === 'string') return title + source.content;
    if (Array.isArray(source.content)) {
      return (
        title +
        source.content
          .map((inner: ContentBlock, k) => {
            if (inner?.type !== 'text') throw unsupportedBlock(inner, `${at}.source.content[${k}]`, 'documents are read as text here');
            return textOf(inner, `${at}.source.content[${k}]`);
          })
          .join('\n')
      );
    }
  }
  throw invalidRequest(
    `${at}.source.type: documents are read as text here: send a 'text' or 'content' source (PDFs and file ids cannot be read by a self-hosted chat model).`,
    `${at}.source.type`,
  );
}

function textOf(block: ContentBlock, at: string): string {
  if (typeof block.text !== 'string') throw invalidRequest(`${at}.text: Field required`, `${at}.text`);
  return block.text;
}

function requiredString(value: unknown, param: string): string {
  if (typeof value !== 'string' || value === '') throw invalidRequest(`${param}: Field required`, param);
  return value;
}

const unsupportedBlock = (block: { type?: unknown } | undefined, at: string, what: string) =>
  invalidRequest(`${at}.type: content blocks of type '${String(block?.type)}' are not supported by this gateway (${what}).`, `${at}.type`);
