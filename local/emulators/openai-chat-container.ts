import type { Container, Invocation, StreamItem } from './sagemaker-runtime.js';

/**
 * A model container speaking OpenAI chat on /invocations, as vLLM, SGLang, TGI's Messages API and LMI
 * chat do. It does not think: it answers with `reply(messages)` word by word, honouring `max_tokens`,
 * `stream`, `stream_options.include_usage`, and the served-model-name check vLLM makes.
 */
export interface ChatContainerOptions {
  reply?: (lastUserText: string, body: ChatBody) => string;
  /** Pause before each token, to show streaming (and test time to first token). */
  tokenDelayMs?: number;
  /** `sse` (vLLM, TGI) or `jsonlines` (some LMI versions: bare chunks, no [DONE]). */
  framing?: 'sse' | 'jsonlines';
  servedModelName?: string;
  /** Report usage (default true). */
  usage?: boolean;
}

interface ChatBody {
  model?: string;
  messages?: { role: string; content: unknown }[];
  max_tokens?: number;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  [field: string]: unknown;
}

export const demoReply = (text: string) => `Hello from the sagegate demo model (a stand-in, not a real LLM). You said: "${text}"`;

export function openAIChatContainer(options: ChatContainerOptions = {}): Container {
  const reply = options.reply ?? demoReply;
  const framing = options.framing ?? 'sse';
  const reportUsage = options.usage ?? true;

  return (invocation: Invocation) => {
    let body: ChatBody;
    try {
      body = JSON.parse(invocation.body.toString('utf8'));
    } catch {
      return vllmError(400, 'BadRequestError', 'Expecting value: line 1 column 1 (char 0)');
    }
    if (!Array.isArray(body.messages)) return vllmError(400, 'BadRequestError', "Field required: 'messages'");
    // As vLLM: no model, or an empty one, means the served one.
    if (options.servedModelName && body.model !== undefined && body.model !== '' && body.model !== options.servedModelName) {
      return vllmError(404, 'NotFoundError', `The model \`${body.model}\` does not exist.`);
    }
    const lastUser = [...body.messages].reverse().find((m) => m.role === 'user');
    const text = reply(textOf(lastUser?.content), body);
    const all = replyTokens(text);
    const limit = body.max_tokens ?? Infinity;
    const tokens = all.slice(0, limit);
    const finish = all.length > limit ? 'length' : 'stop';
    const usage = { prompt_tokens: promptTokens(body), completion_tokens: tokens.length, total_tokens: promptTokens(body) + tokens.length };
    const id = `chatcmpl-${crypto.randomUUID().slice(0, 8)}`;
    const created = Math.floor(Date.now() / 1000);
    const model = options.servedModelName ?? '/opt/ml/model';

    if (!(invocation.stream && body.stream)) {
      return {
        body: {
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [{ index: 0, message: { role: 'assistant', content: tokens.join('') }, logprobs: null, finish_reason: finish }],
          ...(reportUsage && { usage }),
        },
      };
    }

    const chunk = (choices: unknown[], extra: object = {}) =>
      JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices, ...extra });
    const line = (json: string) => (framing === 'sse' ? `data: ${json}\n\n` : `${json}\n`);
    async function* stream(): AsyncGenerator<StreamItem> {
      yield line(chunk([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]));
      for (const token of tokens) {
        if (options.tokenDelayMs) yield { delayMs: options.tokenDelayMs };
        yield line(chunk([{ index: 0, delta: { content: token }, logprobs: null, finish_reason: null }]));
      }
      yield line(chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: finish }]));
      if (reportUsage && body.stream_options?.include_usage) yield line(chunk([], { usage }));
      if (framing === 'sse') yield 'data: [DONE]\n\n';
    }
    return { stream: stream(), contentType: framing === 'sse' ? 'text/event-stream' : 'application/jsonlines' };
  };
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content
      .filter((p) => p?.type === 'text')
      .map((p) => p.text)
      .join(' ');
  return '';
}

function promptTokens(body: ChatBody): number {
  return body.messages!.reduce((n, m) => n + Math.ceil(textOf(m.content).length / 4) + 4, 0);
}

function vllmError(status: number, type: string, message: string) {
  return { status, body: { error: { message, type, param: null, code: status } } };
}

/** How every emulated container cuts its reply into tokens: a word with the spaces before it. */
export const replyTokens = (text: string): string[] => text.match(/\s*\S+/g) ?? [];
