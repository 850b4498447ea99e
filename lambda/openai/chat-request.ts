import { z } from 'zod';
import { invalidRequest } from '../http/errors.js';

/**
 * The OpenAI chat completions request, as clients send it. Objects are `loose`: fields we do not
 * model (new OpenAI parameters, vendor extensions such as vLLM's `top_k`) are kept and handed to
 * OpenAI-speaking containers rather than silently lost.
 */
const textPart = z.object({ type: z.literal('text'), text: z.string() }).loose();
const imagePart = z
  .object({
    type: z.literal('image_url'),
    // Some clients send the bare string form: {"image_url": "data:..."}.
    image_url: z.union([
      z.string(),
      z.object({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).optional() }).loose(),
    ]),
  })
  .loose();
const contentPart = z.discriminatedUnion('type', [textPart, imagePart]);
const content = z.union([z.string(), z.array(contentPart)]);

const toolCall = z
  .object({
    id: z.string(),
    type: z.literal('function'),
    function: z.object({ name: z.string(), arguments: z.string() }).loose(),
  })
  .loose();

const message = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content, name: z.string().optional() }).loose(),
  z.object({ role: z.literal('developer'), content, name: z.string().optional() }).loose(),
  z.object({ role: z.literal('user'), content, name: z.string().optional() }).loose(),
  z
    .object({
      role: z.literal('assistant'),
      content: content.nullish(),
      tool_calls: z.array(toolCall).optional(),
      name: z.string().optional(),
    })
    .loose(),
  z.object({ role: z.literal('tool'), content, tool_call_id: z.string() }).loose(),
  z.object({ role: z.literal('function'), content: z.string().nullable(), name: z.string() }).loose(),
]);

const tool = z
  .object({
    type: z.literal('function'),
    function: z.object({ name: z.string().min(1), description: z.string().optional(), parameters: z.record(z.string(), z.unknown()).optional() }).loose(),
  })
  .loose();

export const chatRequestSchema = z
  .object({
    model: z.string().min(1),
    messages: z.array(message).min(1),
    stream: z.boolean().nullish(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).loose().nullish(),
    max_tokens: z.number().int().positive().nullish(),
    max_completion_tokens: z.number().int().positive().nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    stop: z.union([z.string(), z.array(z.string()).max(16)]).nullish(),
    seed: z.number().int().nullish(),
    n: z.number().int().min(1).max(16).nullish(),
    frequency_penalty: z.number().min(-2).max(2).nullish(),
    presence_penalty: z.number().min(-2).max(2).nullish(),
    logprobs: z.boolean().nullish(),
    top_logprobs: z.number().int().min(0).max(20).nullish(),
    tools: z.array(tool).nullish(),
    tool_choice: z
      .union([z.enum(['none', 'auto', 'required']), z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) }).loose()])
      .nullish(),
    parallel_tool_calls: z.boolean().nullish(),
    response_format: z.object({ type: z.enum(['text', 'json_object', 'json_schema']) }).loose().nullish(),
    user: z.string().nullish(),
  })
  .loose();

export type ChatRequest = z.infer<typeof chatRequestSchema>;
export type ChatMessage = ChatRequest['messages'][number];
export type ContentPart = z.infer<typeof contentPart>;

/** `messages[2].content[1]` from zod's path array, the form OpenAI uses in `param`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out;
}

export function parseChatRequest(body: unknown): ChatRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest('The request body must be a JSON object.');
  }
  const parsed = chatRequestSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const { path, message } = mostSpecific(parsed.error.issues[0]!, [], body);
  const param = formatPath(path);
  throw invalidRequest(`Invalid value for '${param || 'body'}': ${message}`, param || null);
}

type Issue = z.core.$ZodIssue;

/**
 * Zod reports a failed union ("string or array of parts") at the union itself; the client is better
 * served by the deepest branch's complaint, e.g. `messages[0].content[1].type`.
 */
function mostSpecific(issue: Issue, prefix: PropertyKey[], body: unknown): { path: PropertyKey[]; message: string } {
  const path = [...prefix, ...issue.path];
  if (issue.code !== 'invalid_union') return { path, message: issue.message };
  if (issue.errors.length === 0) {
    // A discriminator (role, part type) with a value no branch takes.
    return { path, message: `${JSON.stringify(valueAt(body, path)) ?? 'a missing value'} is not supported; ${issue.message.replace('Invalid discriminator value. ', '').toLowerCase()}` };
  }
  const branches = issue.errors.map((errors) => errors[0]!).filter(Boolean);
  const deepest = branches.reduce((a, b) => (b.path.length > a.path.length ? b : a));
  if (deepest.path.length === 0 && branches.every((b) => b.code === 'invalid_type')) {
    const expected = branches.map((b) => (b as { expected?: string }).expected).join(' or ');
    return { path, message: `expected ${expected === 'string or array' ? 'a string or an array of content parts' : expected}` };
  }
  return mostSpecific(deepest, path, body);
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let value = root;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  return value;
}
