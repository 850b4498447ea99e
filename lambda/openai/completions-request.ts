import * as z from 'zod/mini';
import { invalidRequest } from '../core/gateway-error.js';
import { formatPath } from '../core/issue-path.js';

const range = (min: number, max: number) => z.nullish(z.number().check(z.gte(min), z.lte(max)));
const tokenIds = z.array(z.int());

/**
 * OpenAI's legacy completions request (`POST /v1/completions`), still what code-completion plugins
 * send (with `suffix` for fill-in-the-middle). Loose, like the chat request: fields we do not model
 * reach OpenAI-speaking containers.
 */
export const completionRequestSchema = z.looseObject({
  model: z.string().check(z.minLength(1)),
  prompt: z.union([z.string(), z.array(z.string()), tokenIds, z.array(tokenIds)]),
  suffix: z.nullish(z.string()),
  max_tokens: z.nullish(z.int().check(z.positive())),
  temperature: range(0, 2),
  top_p: range(0, 1),
  n: z.nullish(z.int().check(z.gte(1), z.lte(16))),
  stream: z.nullish(z.boolean()),
  stream_options: z.nullish(z.looseObject({ include_usage: z.optional(z.boolean()) })),
  logprobs: z.nullish(z.int().check(z.gte(0), z.lte(5))),
  echo: z.nullish(z.boolean()),
  stop: z.nullish(z.union([z.string(), z.array(z.string()).check(z.maxLength(16))])),
  seed: z.nullish(z.int()),
  presence_penalty: range(-2, 2),
  frequency_penalty: range(-2, 2),
  best_of: z.nullish(z.int().check(z.gte(1))),
  user: z.nullish(z.string()),
});

export type CompletionRequest = z.infer<typeof completionRequestSchema>;

/** OpenAI's default for legacy completions, which differs from chat's. */
export const DEFAULT_COMPLETION_TOKENS = 16;

export function parseCompletionRequest(body: unknown): CompletionRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidRequest('The request body must be a JSON object.');
  const parsed = completionRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = formatPath(issue.path);
    const message = param === 'prompt' ? 'expected a string, an array of strings, or token ids' : issue.message;
    throw invalidRequest(`Invalid value for '${param || 'body'}': ${message}`, param || null);
  }
  return parsed.data;
}

/** The prompt as one string, or undefined when the client sent several prompts or token ids. */
export function singlePrompt(request: CompletionRequest): string | undefined {
  const { prompt } = request;
  if (typeof prompt === 'string') return prompt;
  return prompt.length === 1 && typeof prompt[0] === 'string' ? prompt[0] : undefined;
}
