import * as z from 'zod/mini';
import { invalidRequest } from '../core/gateway-error.js';
import { formatPath } from '../core/issue-path.js';
import { FIRST_ISSUE_ONLY } from './first-issue.js';

const tokenIds = z.array(z.number().check(z.int()));

/** OpenAI's embeddings request. Loose, like the chat request: unknown fields reach OpenAI-speaking containers. */
export const embeddingsRequestSchema = z.looseObject({
  model: z.string().check(z.minLength(1)),
  input: z.union([z.string(), z.array(z.string()), tokenIds, z.array(tokenIds)]),
  encoding_format: z.optional(z.enum(['float', 'base64'])),
  dimensions: z.optional(z.number().check(z.int(), z.positive())),
  user: z.optional(z.string()),
});

export type EmbeddingsRequest = z.infer<typeof embeddingsRequestSchema>;

/** OpenAI's own limit on inputs per request. */
const MAX_INPUTS = 2048;

export function parseEmbeddingsRequest(body: unknown): EmbeddingsRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidRequest('The request body must be a JSON object.');
  const parsed = embeddingsRequestSchema.safeParse(body, FIRST_ISSUE_ONLY);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = formatPath(issue.path);
    const message = param === 'input' ? 'expected a string, an array of strings, or token ids' : issue.message;
    throw invalidRequest(`Invalid value for '${param || 'body'}': ${message}`, param || null);
  }
  const { input } = parsed.data;
  if (Array.isArray(input) && input.length === 0) throw invalidRequest("'input' must not be empty.", 'input');
  if (Array.isArray(input) && input.length > MAX_INPUTS) throw invalidRequest(`'input' may hold at most ${MAX_INPUTS} items.`, 'input');
  const texts = textInputs(parsed.data);
  const empty = texts?.findIndex((t) => t.length === 0) ?? -1;
  if (empty >= 0) throw invalidRequest(`'input' must not contain empty strings.`, typeof input === 'string' ? 'input' : `input[${empty}]`);
  return parsed.data;
}

/** The inputs as texts, or undefined when the client sent token ids. */
export function textInputs(request: EmbeddingsRequest): string[] | undefined {
  const { input } = request;
  if (typeof input === 'string') return [input];
  return input.every((item) => typeof item === 'string') ? (input as string[]) : undefined;
}
