import { replyTokens } from './openai-chat-container.js';
import type { Container, Invocation, StreamItem } from './sagemaker-runtime.js';

/**
 * Model containers that take a prompt string: Hugging Face TGI (generate), AWS LMI rolling batch and
 * older JumpStart text models, with their real payloads, stream framings, validation and error shapes
 * (docs/wire-facts.md §2). They do not think: `reply(prompt)` is the text they "generate", word by word.
 */
export interface TextContainerOptions {
  reply?: (prompt: string) => string;
  tokenDelayMs?: number;
}

interface GenerateBody {
  inputs?: unknown;
  text_inputs?: unknown;
  parameters?: Record<string, unknown>;
  stream?: boolean;
  [key: string]: unknown;
}

const defaultReply = () => 'Deep learning learns layered representations from data.';

function parse(invocation: Invocation): GenerateBody | undefined {
  try {
    return JSON.parse(invocation.body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Words of the reply, cut by max_new_tokens or just after a stop sequence (kept in the text, as TGI does). */
function generate(reply: string, maxNewTokens: number | undefined, stops: string[]) {
  const tokens: string[] = [];
  let text = '';
  for (const word of replyTokens(reply)) {
    if (maxNewTokens !== undefined && tokens.length >= maxNewTokens) return { tokens, text, finish: 'length' as const };
    tokens.push(word);
    text += word;
    if (stops.some((s) => text.includes(s))) return { tokens, text, finish: 'stop_sequence' as const };
  }
  return { tokens, text, finish: 'eos_token' as const };
}

const tgiError = (status: number, error: string, error_type: string) => ({ status, body: { error, error_type } });

/** TGI's generate route: `[{"generated_text"}]`, SSE `data:{...}` token events, 422 validation errors. */
export function tgiContainer(options: TextContainerOptions & { eosToken?: string } = {}): Container {
  const reply = options.reply ?? defaultReply;
  const eos = options.eosToken ?? '</s>';
  return (invocation) => {
    const body = parse(invocation);
    if (!body || typeof body.inputs !== 'string')
      return tgiError(422, 'Failed to deserialize the JSON body into the target type: missing field `inputs`', 'validation');
    const p = body.parameters ?? {};
    if (p.temperature !== undefined && !((p.temperature as number) > 0))
      return tgiError(422, 'Input validation error: `temperature` must be strictly positive', 'validation');
    if (p.top_p !== undefined && !((p.top_p as number) > 0 && (p.top_p as number) < 1))
      return tgiError(422, 'Input validation error: `top_p` must be > 0.0 and < 1.0', 'validation');
    if (p.max_new_tokens !== undefined && (p.max_new_tokens as number) > 4096) {
      return tgiError(
        422,
        `Input validation error: \`inputs\` tokens + \`max_new_tokens\` must be <= 4096. Given: 12 \`inputs\` tokens and ${p.max_new_tokens} \`max_new_tokens\``,
        'validation',
      );
    }
    const { tokens, text, finish } = generate(reply(body.inputs), p.max_new_tokens as number | undefined, (p.stop as string[] | undefined) ?? []);
    const inputLength = Math.ceil(body.inputs.length / 4);
    const details = { finish_reason: finish, generated_tokens: tokens.length + (finish === 'eos_token' ? 1 : 0), seed: null };
    if (!(invocation.stream && body.stream)) {
      return { body: [{ generated_text: text, ...(p.details ? { details: { ...details, prefill: [], tokens: [] } } : {}) }] };
    }
    const all = finish === 'eos_token' ? [...tokens, eos] : tokens;
    async function* stream(): AsyncGenerator<StreamItem> {
      yield ':keep-alive\n\n';
      for (const [i, token] of all.entries()) {
        if (options.tokenDelayMs) yield { delayMs: options.tokenDelayMs };
        const last = i === all.length - 1;
        const special = token === eos;
        const event = {
          index: i + 1,
          token: { id: 1000 + i, text: token, logprob: -0.05, special },
          generated_text: last ? text : null,
          details: last ? { ...details, input_length: inputLength } : null,
        };
        yield `data:${JSON.stringify(event)}\n\n`;
      }
    }
    return { stream: stream(), contentType: 'text/event-stream' };
  };
}

/**
 * LMI rolling batch: `{"generated_text","details"}`, JSON-lines streams with `log_prob` (or, in async
 * mode, `index` and `logprob`), and the error line after HTTP 200 (`id: -1`, `finish_reason: "error"`).
 */
export function lmiContainer(options: TextContainerOptions & { asyncMode?: boolean; failAfterTokens?: number } = {}): Container {
  const reply = options.reply ?? defaultReply;
  return (invocation) => {
    const body = parse(invocation);
    if (!body || typeof body.inputs !== 'string')
      return { status: 400, body: { code: 400, message: 'Input prompt is missing: inputs', error: 'Bad request' } };
    const p = body.parameters ?? {};
    const { tokens, text, finish } = generate(
      reply(body.inputs),
      p.max_new_tokens as number | undefined,
      (p.stop_sequences as string[] | undefined) ?? [],
    );
    const details = {
      finish_reason: finish === 'eos_token' ? 'eos_token' : finish === 'length' ? 'length' : 'stop_sequence',
      generated_tokens: tokens.length,
      inputs: body.inputs,
    };
    if (!(invocation.stream && body.stream)) return { body: { generated_text: text, ...(p.details ? { details } : {}) } };
    const logprob = options.asyncMode ? 'logprob' : 'log_prob';
    async function* stream(): AsyncGenerator<StreamItem> {
      for (const [i, token] of tokens.entries()) {
        if (options.failAfterTokens !== undefined && i === options.failAfterTokens) {
          yield `${JSON.stringify({ token: { id: -1, text: '', [logprob]: -1, special: true }, generated_text: '', details: { finish_reason: 'error', generated_tokens: null, inputs: null, tokens: null } })}\n`;
          return;
        }
        if (options.tokenDelayMs) yield { delayMs: options.tokenDelayMs };
        const last = i === tokens.length - 1;
        const line = {
          ...(options.asyncMode ? { index: 0 } : {}),
          token: { id: 2000 + i, text: token, [logprob]: -0.1 },
          generated_text: last ? text : null,
          details: last ? details : null,
        };
        yield `${JSON.stringify(line)}\n`;
      }
    }
    return { stream: stream(), contentType: 'application/jsonlines' };
  };
}

/** Older JumpStart text models: `{"text_inputs"}` answered by `{"generated_texts": [...]}`; no streaming. */
export function jumpstartContainer(options: TextContainerOptions = {}): Container {
  const reply = options.reply ?? defaultReply;
  return (invocation) => {
    const body = parse(invocation);
    if (!body || typeof body.text_inputs !== 'string') return { status: 400, body: { error: "Expecting 'text_inputs' in the request" } };
    if (invocation.stream) return { status: 400, body: { error: 'This model does not support streaming' } };
    const n = (body.num_return_sequences as number | undefined) ?? 1;
    const max = body.max_new_tokens as number | undefined;
    const texts = Array.from({ length: n }, (_, i) => generate(reply(body.text_inputs as string) + (n > 1 ? ` (${i + 1})` : ''), max, []).text);
    return { body: { generated_texts: texts } };
  };
}
