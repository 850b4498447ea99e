import * as z from 'zod/mini';
import { invalidRequest } from '../core/gateway-error.js';
import { formatPath } from '../core/issue-path.js';
import type { ChatMessage, ChatRequest, ContentPart } from './chat-request.js';
import { TOOL_PARAM } from './chat-types.js';
import { mergedSystem } from './merged-system.js';

/**
 * OpenAI's Responses API request (`POST /v1/responses`), and its translation into a chat request, so
 * that every model (every dialect, transport, router) answers it (docs/wire-facts.md §8). Objects are
 * loose: clients send fields of their own (Codex's `client_metadata`) and fields that change no answer
 * (`include`, `prompt_cache_key`, `service_tier`, `truncation`); those are accepted and not acted on.
 */
const range = (min: number, max: number) => z.nullish(z.number().check(z.gte(min), z.lte(max)));

const item = z.looseObject({ type: z.optional(z.string()), role: z.optional(z.string()) });

export const responsesRequestSchema = z.looseObject({
  model: z.string().check(z.minLength(1)),
  input: z.optional(z.union([z.string(), z.array(item)])),
  instructions: z.nullish(z.string()),
  tools: z.nullish(z.array(z.looseObject({ type: z.string() }))),
  tool_choice: z.nullish(z.union([z.enum(['none', 'auto', 'required']), z.looseObject({ type: z.string() })])),
  parallel_tool_calls: z.nullish(z.boolean()),
  max_output_tokens: z.nullish(z.int().check(z.positive())),
  temperature: range(0, 2),
  top_p: range(0, 1),
  top_logprobs: z.nullish(z.int().check(z.gte(0), z.lte(20))),
  text: z.nullish(
    z.looseObject({
      format: z.nullish(z.looseObject({ type: z.enum(['text', 'json_object', 'json_schema']) })),
      verbosity: z.nullish(z.enum(['low', 'medium', 'high'])),
    }),
  ),
  reasoning: z.nullish(z.looseObject({ effort: z.nullish(z.string()), summary: z.nullish(z.string()) })),
  metadata: z.nullish(z.record(z.string(), z.string())),
  user: z.nullish(z.string()),
  store: z.nullish(z.boolean()),
  previous_response_id: z.nullish(z.string().check(z.minLength(1))),
  stream: z.nullish(z.boolean()),
  background: z.nullish(z.boolean()),
});

export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;
export type InputItem = Record<string, unknown>;

export function parseResponsesRequest(body: unknown): ResponsesRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidRequest('The request body must be a JSON object.');
  const parsed = responsesRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = formatPath(issue.path);
    throw invalidRequest(`Invalid value for '${param || 'body'}': ${issue.message}`, param || null);
  }
  const request = parsed.data;
  const refuse = (param: string, why: string) =>
    invalidRequest(`'${param}' is not supported by this gateway: ${why}.`, param, 'unsupported_parameter');
  if (request.background) throw refuse('background', 'answers are given while the client waits');
  for (const key of ['conversation', 'prompt'] as const) {
    if ((body as Record<string, unknown>)[key] != null) throw refuse(key, 'it names state kept by OpenAI');
  }
  if (request.top_logprobs) throw refuse('top_logprobs', 'log probabilities are not returned on /v1/responses');
  if (request.input === undefined && !request.previous_response_id) throw invalidRequest("'input' is required.", 'input');
  return request;
}

/** How a chat tool name maps back to what the client offered: a function (in a namespace), or a custom tool. */
export interface OfferedTool {
  kind: 'function' | 'custom';
  name: string;
  namespace?: string;
}

export type ToolNames = ReadonlyMap<string, OfferedTool>;

/** The name a namespaced tool goes by in chat: vLLM and LiteLLM flatten namespaces the same way. */
const flatName = (namespace: string | undefined, name: string) => (namespace ? `${namespace}__${name}` : name);

/**
 * The chat request for a Responses request whose whole input (history from a stored response
 * first) is `input`. Tools are offered as chat functions: namespaces flattened, custom (free-form)
 * tools as a function with one string parameter, `input`; other types are passed on for the model to
 * refuse or drop (`models/tool-requests.ts`). `names` maps chat tool names back.
 */
export function toChatRequest(request: ResponsesRequest, input: InputItem[]): { chat: ChatRequest; names: ToolNames } {
  const { tools, names } = chatTools(request.tools ?? []);
  const chat: Record<string, unknown> = {
    model: request.model,
    messages: chatMessages(request.instructions, input),
    ...(request.stream && { stream: true, stream_options: { include_usage: true } }),
  };
  if (tools.length) chat.tools = tools;
  const choice = toolChoice(request.tool_choice, names, tools);
  if (choice.tools) chat.tools = choice.tools;
  if (choice.choice !== undefined) chat.tool_choice = choice.choice;
  const copy = {
    parallel_tool_calls: 'parallel_tool_calls',
    max_output_tokens: 'max_tokens',
    temperature: 'temperature',
    top_p: 'top_p',
    user: 'user',
  };
  for (const [from, to] of Object.entries(copy)) {
    const value = request[from as keyof ResponsesRequest];
    if (value !== null && value !== undefined) chat[to] = value;
  }
  const format = request.text?.format;
  if (format?.type === 'json_object') chat.response_format = { type: 'json_object' };
  if (format?.type === 'json_schema') {
    const { type: _type, ...schema } = format as Record<string, unknown>;
    chat.response_format = { type: 'json_schema', json_schema: schema };
  }
  if (request.text?.verbosity) chat.verbosity = request.text.verbosity;
  if (request.reasoning?.effort) chat.reasoning_effort = request.reasoning.effort;
  return { chat: chat as ChatRequest, names };
}

function chatTools(offered: { type: string; [key: string]: unknown }[]): {
  tools: Record<string | symbol, unknown>[];
  names: Map<string, OfferedTool>;
} {
  const tools: Record<string | symbol, unknown>[] = [];
  const names = new Map<string, OfferedTool>();
  const add = (tool: Record<string, unknown>, param: string, namespace?: string) => {
    const name = tool.name;
    if (typeof name !== 'string' || !/^[\w.-]{1,128}$/.test(name)) {
      throw invalidRequest(`Invalid value for '${param}.name': a tool needs a name of letters, digits, '_', '-' and '.'.`, `${param}.name`);
    }
    const flat = flatName(namespace, name);
    if (names.has(flat)) throw invalidRequest(`Tool name '${flat}' is offered twice.`, `${param}.name`);
    if (tool.type === 'custom') {
      names.set(flat, { kind: 'custom', name, ...(namespace && { namespace }) });
      tools.push(functionTool(flat, customDescription(tool), CUSTOM_PARAMETERS));
    } else {
      names.set(flat, { kind: 'function', name, ...(namespace && { namespace }) });
      tools.push(functionTool(flat, tool.description, withoutSchemaKey(tool.parameters), tool.strict));
    }
  };
  offered.forEach((tool, i) => {
    const param = `tools[${i}]`;
    if (tool.type === 'function' || tool.type === 'custom') add(tool, param);
    else if (tool.type === 'namespace' && Array.isArray(tool.tools)) {
      (tool.tools as Record<string, unknown>[]).forEach((inner, j) => {
        const innerParam = `${param}.tools[${j}]`;
        if (inner.type !== 'function' && inner.type !== 'custom') {
          throw invalidRequest(`Tools of type '${String(inner.type)}' cannot be in a namespace here.`, `${innerParam}.type`, 'unsupported_tool');
        }
        add(inner, innerParam, String(tool.name));
      });
    } else tools.push({ type: tool.type, [TOOL_PARAM]: param });
  });
  return { tools, names };
}

/** A free-form tool's input, as the single string parameter of a function. */
const CUSTOM_PARAMETERS = {
  type: 'object',
  properties: { input: { type: 'string', description: 'The raw input for the tool, in the format its description gives.' } },
  required: ['input'],
  additionalProperties: false,
};

function customDescription(tool: Record<string, unknown>): string {
  const format = tool.format as { type?: string; syntax?: string; definition?: string } | undefined;
  const base = typeof tool.description === 'string' ? tool.description : '';
  if (format?.type !== 'grammar' || !format.definition) return base;
  return `${base}\n\nThe input must follow this ${format.syntax ?? ''} grammar:\n${format.definition}`.trim();
}

function functionTool(name: string, description: unknown, parameters: unknown, strict?: unknown): Record<string, unknown> {
  return {
    type: 'function',
    function: {
      name,
      ...(typeof description === 'string' && description && { description }),
      parameters: parameters ?? { type: 'object', properties: {} },
      ...(typeof strict === 'boolean' && { strict }),
    },
  };
}

/** The Agents SDK's schemas carry `$schema`, which some templates and servers choke on. */
function withoutSchemaKey(parameters: unknown): unknown {
  if (typeof parameters !== 'object' || parameters === null || !('$schema' in parameters)) return parameters;
  const { $schema: _schema, ...rest } = parameters as Record<string, unknown>;
  return rest;
}

function toolChoice(
  choice: ResponsesRequest['tool_choice'],
  names: ToolNames,
  tools: Record<string | symbol, unknown>[],
): { choice?: unknown; tools?: Record<string | symbol, unknown>[] } {
  if (choice === null || choice === undefined) return {};
  if (typeof choice === 'string') return { choice };
  const named = (name: unknown) => {
    const flat = [...names.entries()].find(([flat, tool]) => flat === name || tool.name === name)?.[0];
    if (!flat) throw invalidRequest(`tool_choice names '${String(name)}', which is not in 'tools'.`, 'tool_choice');
    return { type: 'function', function: { name: flat } };
  };
  if (choice.type === 'function' || choice.type === 'custom') return { choice: named(choice.name) };
  if (choice.type === 'allowed_tools') {
    const allowed = new Set(((choice.tools ?? []) as { name?: string }[]).map((t) => (t.name ? named(t.name).function.name : '')));
    const kept = tools.filter((t) => allowed.has((t.function as { name?: string } | undefined)?.name ?? ''));
    return { choice: choice.mode === 'required' ? 'required' : 'auto', tools: kept };
  }
  // A hosted tool: the model refuses it (models/tool-requests.ts).
  return { choice };
}

/**
 * The conversation as chat messages. Consecutive calls (with the thinking and text before them) go
 * into one assistant message, results follow as tool messages, and assistant text that clients replay
 * between a call and its result joins the call's message: templates expect a result right after its
 * call. `developer` becomes `system`, and the system messages at the start become one.
 */
function chatMessages(instructions: string | null | undefined, input: InputItem[]): ChatMessage[] {
  const messages: Record<string, unknown>[] = [];
  if (instructions) messages.push({ role: 'system', content: instructions });
  let thinking: string | undefined;
  const assistant = () => {
    let last = messages.at(-1);
    if (last?.role !== 'assistant') {
      last = { role: 'assistant', content: null };
      messages.push(last);
    }
    if (thinking) {
      last.reasoning_content = thinking;
      thinking = undefined;
    }
    return last;
  };
  input.forEach((item, i) => {
    const param = `input[${i}]`;
    const type = item.type ?? (typeof item.role === 'string' ? 'message' : undefined);
    switch (type) {
      case 'message': {
        const role = item.role;
        if (role === 'assistant') {
          const text = assistantText(item.content, `${param}.content`);
          const message = assistant();
          message.content = typeof message.content === 'string' && message.content ? `${message.content}\n${text}` : text;
        } else if (role === 'user' || role === 'system' || role === 'developer') {
          messages.push({ role: role === 'developer' ? 'system' : role, content: inputContent(item.content, `${param}.content`) });
        } else throw invalidRequest(`Invalid value for '${param}.role': ${JSON.stringify(role)} is not a message role.`, `${param}.role`);
        break;
      }
      case 'reasoning':
        if (typeof item.encrypted_content === 'string' && item.encrypted_content) {
          throw invalidRequest(
            `Encrypted reasoning (from OpenAI's own models) cannot be read by a self-hosted model: remove '${param}.encrypted_content'.`,
            `${param}.encrypted_content`,
            'unsupported_parameter',
          );
        }
        thinking = reasoningText(item);
        break;
      case 'function_call':
      case 'custom_tool_call': {
        const callId = requiredString(item.call_id, `${param}.call_id`);
        const name = requiredString(item.name, `${param}.name`);
        const flat = flatName(typeof item.namespace === 'string' ? item.namespace : undefined, name);
        const args = type === 'custom_tool_call' ? JSON.stringify({ input: String(item.input ?? '') }) : String(item.arguments ?? '{}');
        const message = assistant();
        message.tool_calls ??= [];
        (message.tool_calls as unknown[]).push({ id: callId, type: 'function', function: { name: flat, arguments: args } });
        break;
      }
      case 'function_call_output':
      case 'custom_tool_call_output':
        messages.push({
          role: 'tool',
          tool_call_id: requiredString(item.call_id, `${param}.call_id`),
          content: outputText(item.output, `${param}.output`),
        });
        break;
      case undefined:
        throw invalidRequest(`Invalid value for '${param}': an input item needs a 'type' or a 'role'.`, param);
      default:
        throw invalidRequest(
          `Input items of type '${String(type)}' are not supported by this gateway (it keeps no OpenAI-side state and runs no hosted tools).`,
          `${param}.type`,
          'unsupported_input',
        );
    }
  });
  return mergedSystem(messages) as ChatMessage[];
}

function requiredString(value: unknown, param: string): string {
  if (typeof value !== 'string' || value === '') throw invalidRequest(`Invalid value for '${param}': expected a non-empty string.`, param);
  return value;
}

/** User and system content: text and images (through the image pipeline, as chat image parts). */
function inputContent(content: unknown, param: string): string | ContentPart[] {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw invalidRequest(`Invalid value for '${param}': expected a string or an array of content parts.`, param);
  const parts: ContentPart[] = content.map((raw, j) => {
    const part = raw as Record<string, unknown>;
    const at = `${param}[${j}]`;
    if (part?.type === 'input_text' || part?.type === 'output_text') return { type: 'text', text: String(part.text ?? '') };
    if (part?.type === 'input_image') {
      if (typeof part.image_url !== 'string' || !part.image_url) {
        throw invalidRequest(
          `Invalid value for '${at}': images need an 'image_url' (https or data URL); OpenAI file ids cannot be read here.`,
          `${at}.image_url`,
          'unsupported_input',
        );
      }
      const detail =
        part.detail === 'low' || part.detail === 'high' || part.detail === 'auto' ? { detail: part.detail as 'low' | 'high' | 'auto' } : {};
      return { type: 'image_url', image_url: { url: part.image_url, ...detail } };
    }
    throw invalidRequest(`Content parts of type '${String(part?.type)}' are not supported here.`, `${at}.type`, 'unsupported_input');
  });
  return parts.every((p) => p.type === 'text') ? parts.map((p) => (p as { text: string }).text).join('\n') : parts;
}

function assistantText(content: unknown, param: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw invalidRequest(`Invalid value for '${param}': expected a string or an array of content parts.`, param);
  return content
    .map((raw, j) => {
      const part = raw as Record<string, unknown>;
      if (part?.type === 'output_text' || part?.type === 'input_text') return String(part.text ?? '');
      if (part?.type === 'refusal') return String(part.refusal ?? '');
      throw invalidRequest(`Content parts of type '${String(part?.type)}' are not supported here.`, `${param}[${j}].type`, 'unsupported_input');
    })
    .join('');
}

/** A reasoning item's text: its content, else its summary (vLLM reads them the same way). */
function reasoningText(item: InputItem): string | undefined {
  const texts = (list: unknown) => (Array.isArray(list) ? list.map((p) => (p as { text?: unknown })?.text).filter((t) => typeof t === 'string') : []);
  const content = texts(item.content);
  const text = (content.length ? content : texts(item.summary)).join('\n');
  return text || undefined;
}

/** A tool's output: a string, or parts whose text is joined (images in outputs cannot be passed on). */
function outputText(output: unknown, param: string): string {
  if (typeof output === 'string') return output;
  if (!Array.isArray(output)) return JSON.stringify(output ?? '');
  return output
    .map((raw, j) => {
      const part = raw as Record<string, unknown>;
      if (part?.type === 'input_text' || part?.type === 'output_text') return String(part.text ?? '');
      throw invalidRequest(`Tool outputs of type '${String(part?.type)}' are not supported here.`, `${param}[${j}].type`, 'unsupported_input');
    })
    .join('\n');
}

/** The request's `input` as items (a string is one user message). */
export function inputItems(request: ResponsesRequest): InputItem[] {
  const input = request.input;
  if (input === undefined) return [];
  return typeof input === 'string' ? [{ type: 'message', role: 'user', content: input }] : (input as InputItem[]);
}
