import { en } from 'zod/locales';
import * as z from 'zod/mini';
import type { $ZodIssue } from 'zod/v4/core';
import { invalidRequest, quoted } from '../core/gateway-error.js';
import { formatPath } from '../core/issue-path.js';
import { FIRST_ISSUE_ONLY } from './first-issue.js';

// zod/mini with one locale keeps the Lambda bundle small (the classic API pulls in every locale).
z.config(en());

/**
 * The OpenAI chat completions request, as clients send it. Objects are loose: fields we do not
 * model (new OpenAI parameters, vendor extensions such as vLLM's `top_k`) are kept and handed to
 * OpenAI-speaking containers rather than silently lost.
 */
const textPart = z.looseObject({ type: z.literal('text'), text: z.string() });
const imagePart = z.looseObject({
  type: z.literal('image_url'),
  // Some clients send the bare string form: {"image_url": "data:..."}.
  image_url: z.union([z.string(), z.looseObject({ url: z.string().check(z.minLength(1)), detail: z.optional(z.enum(['auto', 'low', 'high'])) })]),
});
const contentPart = z.discriminatedUnion('type', [textPart, imagePart]);
const content = z.union([z.string(), z.array(contentPart)]);

const toolCall = z.looseObject({
  id: z.string(),
  type: z.literal('function'),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

const name = z.optional(z.string());
const message = z.discriminatedUnion('role', [
  z.looseObject({ role: z.literal('system'), content, name }),
  z.looseObject({ role: z.literal('developer'), content, name }),
  z.looseObject({ role: z.literal('user'), content, name }),
  z.looseObject({ role: z.literal('assistant'), content: z.nullish(content), tool_calls: z.optional(z.array(toolCall)), name }),
  z.looseObject({ role: z.literal('tool'), content, tool_call_id: z.string() }),
  z.looseObject({ role: z.literal('function'), content: z.nullable(z.string()), name: z.string() }),
]);

const tool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().check(z.minLength(1)),
    description: z.optional(z.string()),
    parameters: z.optional(z.record(z.string(), z.unknown())),
  }),
});

const range = (min: number, max: number) => z.nullish(z.number().check(z.gte(min), z.lte(max)));
const positiveInt = z.nullish(z.int().check(z.positive()));

export const chatRequestSchema = z.looseObject({
  model: z.string().check(z.minLength(1)),
  messages: z.array(message).check(z.minLength(1)),
  stream: z.nullish(z.boolean()),
  stream_options: z.nullish(z.looseObject({ include_usage: z.optional(z.boolean()) })),
  max_tokens: positiveInt,
  max_completion_tokens: positiveInt,
  temperature: range(0, 2),
  top_p: range(0, 1),
  stop: z.nullish(z.union([z.string(), z.array(z.string()).check(z.maxLength(16))])),
  seed: z.nullish(z.int()),
  n: z.nullish(z.int().check(z.gte(1), z.lte(16))),
  frequency_penalty: range(-2, 2),
  presence_penalty: range(-2, 2),
  logprobs: z.nullish(z.boolean()),
  top_logprobs: z.nullish(z.int().check(z.gte(0), z.lte(20))),
  tools: z.nullish(z.array(tool)),
  tool_choice: z.nullish(
    z.union([z.enum(['none', 'auto', 'required']), z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string() }) })]),
  ),
  parallel_tool_calls: z.nullish(z.boolean()),
  response_format: z.nullish(z.looseObject({ type: z.enum(['text', 'json_object', 'json_schema']) })),
  user: z.nullish(z.string()),
});

export type ChatRequest = z.infer<typeof chatRequestSchema>;
export type ChatMessage = ChatRequest['messages'][number];
export type ContentPart = z.infer<typeof contentPart>;

/** Invalid requests name the field as OpenAI's `param` does: `messages[2].content[1]`. */
export function parseChatRequest(body: unknown): ChatRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest('The request body must be a JSON object.');
  }
  const parsed = chatRequestSchema.safeParse(body, FIRST_ISSUE_ONLY);
  if (parsed.success) return parsed.data;
  const { path, message } = mostSpecific(parsed.error.issues[0]!, [], body);
  const param = formatPath(path);
  throw invalidRequest(`Invalid value for '${param || 'body'}': ${message}`, param || null);
}

type Issue = $ZodIssue;

/**
 * Zod reports a failed union ("string or array of parts") at the union itself; the client is better
 * served by the deepest branch's complaint, e.g. `messages[0].content[1].type`.
 */
function mostSpecific(issue: Issue, prefix: PropertyKey[], body: unknown): { path: PropertyKey[]; message: string } {
  const path = [...prefix, ...issue.path];
  if (issue.code !== 'invalid_union') return { path, message: issue.message };
  if (issue.errors.length === 0) {
    // A discriminator (role, part type) with a value no branch takes.
    return {
      path,
      message: `${describeValue(valueAt(body, path))} is not supported; ${issue.message.replace('Invalid discriminator value. ', '').toLowerCase()}`,
    };
  }
  const branches = issue.errors.map((errors) => errors[0]!).filter(Boolean);
  const deepest = branches.reduce((a, b) => (b.path.length > a.path.length ? b : a));
  if (deepest.path.length === 0 && branches.every((b) => b.code === 'invalid_type')) {
    const expected = branches.map((b) => (b as { expected?: string }).expected).join(' or ');
    return { path, message: `expected ${expected === 'string or array' ? 'a string or an array of content parts' : expected}` };
  }
  return mostSpecific(deepest, path, body);
}

/** A client's value for an error message: short strings and scalars as JSON, long strings cut, containers by kind only. */
function describeValue(value: unknown): string {
  if (value === undefined) return 'a missing value';
  if (typeof value === 'string') return JSON.stringify(quoted(value));
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let value = root;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  return value;
}
