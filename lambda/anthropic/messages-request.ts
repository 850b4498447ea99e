import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { invalidRequest, quoted } from '../core/gateway-error.js';
import { formatPath } from '../core/issue-path.js';
import { FIRST_ISSUE_ONLY } from '../openai/first-issue.js';

z.config(en());

/**
 * Anthropic's Messages request (`POST /v1/messages`, and `/v1/messages/count_tokens` without
 * `max_tokens`), as its SDKs and Claude Code send it (docs/wire-facts.md §13).
 * Objects are loose: fields that change no answer on a self-hosted model (`cache_control`,
 * `service_tier`, `inference_geo`, `citations`) are accepted; fields that would are either mapped
 * (`to-chat-request.ts`) or refused by name (`refuseUnsupported`). Content blocks are read one by one
 * in the translation, so that an unsupported block type is refused with its own path.
 */
const block = z.looseObject({ type: z.string() });
const content = z.union([z.string(), z.array(block)]);

const message = z.looseObject({
  role: z.enum(['user', 'assistant', 'system']),
  content,
});

const tool = z.looseObject({
  name: z.optional(z.string()),
  type: z.nullish(z.string()),
  description: z.optional(z.string()),
  input_schema: z.optional(z.looseObject({})),
});

const toolChoice = z.looseObject({
  type: z.enum(['auto', 'any', 'tool', 'none']),
  name: z.optional(z.string()),
  disable_parallel_tool_use: z.optional(z.boolean()),
});

const thinking = z.looseObject({
  type: z.enum(['enabled', 'disabled', 'adaptive', 'between_tools']),
  budget_tokens: z.optional(z.int().check(z.gte(0))),
  display: z.nullish(z.enum(['summarized', 'omitted'])),
});

const unit = z.optional(z.number().check(z.gte(0), z.lte(1)));

/**
 * Context editing: of Anthropic's edits only clearing old thinking has a meaning here (Claude Code
 * sends it with `keep: "all"`, which changes nothing); clearing tool results is refused.
 */
const contextManagement = z.looseObject({
  edits: z.optional(
    z.array(
      z.looseObject({
        type: z.string().check(z.regex(/^clear_thinking_/, "only 'clear_thinking_*' edits are supported by this gateway")),
        keep: z.optional(z.union([z.literal('all'), z.looseObject({ type: z.literal('thinking_turns'), value: z.int().check(z.gte(0)) })])),
      }),
    ),
  ),
});

const base = {
  model: z.string().check(z.minLength(1)),
  messages: z.array(message),
  system: z.optional(z.union([z.string(), z.array(block)])),
  tools: z.optional(z.array(tool)),
  tool_choice: z.optional(toolChoice),
  thinking: z.optional(thinking),
  context_management: z.optional(contextManagement),
  output_config: z.optional(
    z.looseObject({
      effort: z.nullish(z.enum(['low', 'medium', 'high', 'xhigh', 'max'])),
      format: z.nullish(z.looseObject({ type: z.literal('json_schema'), schema: z.looseObject({}) })),
    }),
  ),
};

export const messagesRequestSchema = z.looseObject({
  ...base,
  max_tokens: z.int().check(z.positive()),
  stop_sequences: z.optional(z.array(z.string()).check(z.maxLength(64))),
  stream: z.optional(z.boolean()),
  temperature: unit,
  top_p: unit,
  top_k: z.optional(z.int().check(z.gte(0))),
  metadata: z.optional(z.looseObject({ user_id: z.nullish(z.string()) })),
  service_tier: z.optional(z.string()),
});

export const countTokensRequestSchema = z.looseObject(base);

export type MessagesRequest = z.infer<typeof messagesRequestSchema>;
export type CountTokensRequest = z.infer<typeof countTokensRequestSchema>;
export type AnthropicMessage = MessagesRequest['messages'][number];
export type ContentBlock = Record<string, unknown> & { type: string };

/**
 * Fields that ask for what only Anthropic's servers do (a code-execution container, remote MCP
 * servers, server-side context editing): refused by name rather than silently left out.
 */
const ANTHROPIC_ONLY: Record<string, string> = {
  container: 'code execution containers run only on Anthropic',
  mcp_servers: "remote MCP servers are called by Anthropic's servers; connect them to your client instead",
};

export function parseMessagesRequest(body: unknown): MessagesRequest {
  const request = parse(messagesRequestSchema, body);
  refuseUnsupported(body as Record<string, unknown>);
  if (request.stop_sequences?.some((s) => s === '')) {
    throw invalidRequest('stop_sequences: each stop sequence must contain non-whitespace characters.', 'stop_sequences');
  }
  return request;
}

export function parseCountTokensRequest(body: unknown): CountTokensRequest {
  const request = parse(countTokensRequestSchema, body);
  refuseUnsupported(body as Record<string, unknown>);
  return request;
}

function refuseUnsupported(body: Record<string, unknown>): void {
  for (const [field, why] of Object.entries(ANTHROPIC_ONLY)) {
    if (body[field] != null) throw invalidRequest(`${field}: not supported by this gateway (${why}).`, field, 'unsupported_parameter');
  }
  if (body.speed === 'fast') throw invalidRequest("speed: 'fast' is not supported by this gateway; send 'standard' or leave it out.", 'speed');
}

function parse<T>(schema: z.ZodMiniType<T>, body: unknown): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidRequest('The request body must be a JSON object.');
  const parsed = schema.safeParse(body, FIRST_ISSUE_ONLY);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const param = formatPath(issue.path);
  const missing = issue.code === 'invalid_type' && valueAt(body, issue.path) === undefined;
  // Anthropic's own wording for the two mistakes clients make most: a missing field, a wrong value.
  const message = missing ? 'Field required' : issue.message;
  throw invalidRequest(`${param || 'body'}: ${quoted(message, 300)}`, param || null);
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let value = root;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  return value;
}
