import type { Container, Invocation, StreamItem } from './sagemaker-runtime.js';

/**
 * A model container speaking OpenAI chat on /invocations, as vLLM, SGLang, TGI's Messages API and LMI
 * chat do. It does not think: it answers with `answer(body)` (by default the demo's: a tool call when
 * asked for one, else `reply(text)`), word by word, honouring `max_tokens`, `stream`,
 * `stream_options.include_usage`, and the served-model-name check vLLM makes. `style` says how the
 * container writes calls and thinking, as each real one does (docs/wire-facts.md §8).
 */
export interface ChatContainerOptions {
  reply?: (lastUserText: string, body: ChatBody) => string;
  /** The whole answer; overrides `reply`. */
  answer?: (body: ChatBody) => ScriptedAnswer;
  /** Pause before each token, to show streaming (and test time to first token). */
  tokenDelayMs?: number;
  /** `sse` (vLLM, TGI) or `jsonlines` (some LMI versions: bare chunks, no [DONE]). */
  framing?: 'sse' | 'jsonlines';
  servedModelName?: string;
  /** Report usage (default true). */
  usage?: boolean;
  style?: ContainerStyle;
}

export interface ContainerStyle {
  /**
   * How calls come back: `openai` (vLLM with a tool parser), `tgi` (TGI 3.2+: object-free arguments
   * but id "0", `description: null`, finish_reason "stop", streams without any finish reason),
   * `tgi-legacy` (TGI 2.x to 3.1: arguments as an object; streams the grammar's raw JSON in a single
   * object), `text` (no parser: Hermes `<tool_call>` text in `content`, as SGLang).
   */
  tools?: 'openai' | 'tgi' | 'tgi-legacy' | 'text';
  /** vLLM without --enable-auto-tool-choice: tools with tool_choice auto (or none given) get its 400. */
  noToolParser?: boolean;
  /** How thinking comes back: vLLM's fields (old, new, both) or `<think>` tags left in the text (`open`: only `</think>`). */
  reasoning?: 'reasoning_content' | 'reasoning' | 'both' | 'tags' | 'open';
  /** Cut every streamed piece (token, argument fragment) into pieces of this many characters. */
  pieceChars?: number;
}

export interface ScriptedAnswer {
  text?: string;
  reasoning?: string;
  calls?: { name: string; arguments: string | Record<string, unknown> }[];
}

export interface ChatBody {
  model?: string;
  messages?: { role: string; content: unknown; [field: string]: unknown }[];
  max_tokens?: number;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  tools?: { type: string; function?: { name: string; parameters?: JsonSchema } }[];
  tool_choice?: unknown;
  [field: string]: unknown;
}

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  items?: JsonSchema;
}

export const demoReply = (text: string) => `Hello from the sagegate demo model (a stand-in, not a real LLM). You said: "${text}"`;

export function openAIChatContainer(options: ChatContainerOptions = {}): Container {
  const reply = options.reply ?? demoReply;
  const answerOf = options.answer ?? ((body: ChatBody) => demoAnswer(body, reply));
  const framing = options.framing ?? 'sse';
  const reportUsage = options.usage ?? true;
  const style = options.style ?? {};

  return (invocation: Invocation) => {
    let body: ChatBody;
    try {
      body = JSON.parse(invocation.body.toString('utf8'));
    } catch {
      return vllmError(400, 'BadRequestError', 'Expecting value: line 1 column 1 (char 0)');
    }
    if (!Array.isArray(body.messages) && body.prompt !== undefined) return textCompletion(body, invocation, reply, options);
    if (!Array.isArray(body.messages)) return vllmError(400, 'BadRequestError', "Field required: 'messages'");
    // As vLLM: no model, or an empty one, means the served one.
    if (options.servedModelName && body.model !== undefined && body.model !== '' && body.model !== options.servedModelName) {
      return vllmError(404, 'NotFoundError', `The model \`${body.model}\` does not exist.`);
    }
    if (Array.isArray(body.tools) && body.tools.length === 0) {
      return vllmError(400, 'BadRequestError', '`tools` must not be an empty array. Either provide at least one tool or omit the field entirely.');
    }
    if (style.noToolParser && body.tools?.length && (body.tool_choice === undefined || body.tool_choice === 'auto')) {
      return vllmError(400, 'BadRequestError', '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set');
    }
    const answer = answerOf(body);
    const calls = answer.calls ?? [];
    const thought = answer.reasoning ?? '';
    const tagged = style.reasoning === 'tags' || style.reasoning === 'open';
    const textCalls =
      style.tools === 'text' ? calls.map((c) => `<tool_call>\n${JSON.stringify({ name: c.name, arguments: argsObject(c) })}\n</tool_call>`) : [];
    let text = (answer.text ?? '') + textCalls.join('\n');
    if (thought && tagged) text = `${style.reasoning === 'tags' ? '<think>' : ''}${thought}</think>\n\n${text}`;
    const all = replyTokens(text);
    const limit = body.max_tokens ?? Infinity;
    const tokens = all.slice(0, limit);
    const apiCalls = style.tools === 'text' ? [] : calls;
    const finish = all.length > limit ? 'length' : apiCalls.length && (style.tools ?? 'openai') === 'openai' ? 'tool_calls' : 'stop';
    const completion = tokens.length + (thought && !tagged ? replyTokens(thought).length : 0) + apiCalls.length * 8;
    const usage = { prompt_tokens: promptTokens(body), completion_tokens: completion, total_tokens: promptTokens(body) + completion };
    const id = `chatcmpl-${crypto.randomUUID().slice(0, 8)}`;
    const created = Math.floor(Date.now() / 1000);
    const model = options.servedModelName ?? '/opt/ml/model';
    const thoughtFields = (value: string) =>
      !value || tagged
        ? {}
        : style.reasoning === 'reasoning'
          ? { reasoning: value }
          : style.reasoning === 'both'
            ? { reasoning: value, reasoning_content: value }
            : { reasoning_content: value };

    if (!(invocation.stream && body.stream)) {
      const message: Record<string, unknown> = { role: 'assistant', content: tokens.join(''), ...thoughtFields(thought) };
      if (apiCalls.length) {
        message.tool_calls = apiCalls.map((call, i) => wholeCall(call, i, style));
        if (!message.content) message.content = null;
      }
      return {
        body: {
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
          ...(reportUsage && { usage }),
        },
      };
    }

    const chunk = (choices: unknown[], extra: object = {}) =>
      JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices, ...extra });
    const line = (json: string) => (framing === 'sse' ? `data: ${json}\n\n` : `${json}\n`);
    const delta = (d: object, finishReason: string | null = null) =>
      line(chunk([{ index: 0, delta: d, logprobs: null, finish_reason: finishReason }]));
    const pieces = (s: string) => (style.pieceChars ? (s.match(new RegExp(`[\\s\\S]{1,${style.pieceChars}}`, 'g')) ?? []) : [s]);
    async function* stream(): AsyncGenerator<StreamItem> {
      yield delta({ role: 'assistant', content: '' });
      if (thought && !tagged) {
        for (const token of replyTokens(thought)) for (const piece of pieces(token)) yield delta(thoughtFields(piece));
      }
      for (const token of tokens) {
        if (options.tokenDelayMs) yield { delayMs: options.tokenDelayMs };
        for (const piece of pieces(token)) yield delta({ content: piece });
      }
      yield* streamedCalls(apiCalls, style, delta, pieces);
      // TGI 3.2+ ends a tool stream without any finish reason.
      if (!(style.tools === 'tgi' && apiCalls.length)) yield delta({}, finish);
      if (reportUsage && body.stream_options?.include_usage) yield line(chunk([], { usage }));
      if (framing === 'sse') yield 'data: [DONE]\n\n';
    }
    return { stream: stream(), contentType: framing === 'sse' ? 'text/event-stream' : 'application/jsonlines' };
  };
}

/** vLLM's completions API, which its /invocations picks for a body with `prompt`: `text_completion` objects and chunks. */
function textCompletion(body: ChatBody, invocation: Invocation, reply: (text: string, body: ChatBody) => string, options: ChatContainerOptions) {
  if (body.suffix !== undefined) return vllmError(400, 'BadRequestError', 'suffix is not currently supported');
  const prompt = Array.isArray(body.prompt) ? String(body.prompt[0]) : String(body.prompt);
  const all = replyTokens(reply(prompt, body));
  const limit = body.max_tokens ?? 16;
  const tokens = all.slice(0, limit);
  const finish = all.length > limit ? 'length' : 'stop';
  const promptTokens = Math.ceil(prompt.length / 4);
  const usage = { prompt_tokens: promptTokens, completion_tokens: tokens.length, total_tokens: promptTokens + tokens.length };
  const head = {
    id: `cmpl-${crypto.randomUUID().slice(0, 8)}`,
    object: 'text_completion',
    created: Math.floor(Date.now() / 1000),
    model: options.servedModelName ?? '/opt/ml/model',
  };
  if (!(invocation.stream && body.stream))
    return { body: { ...head, choices: [{ index: 0, text: tokens.join(''), logprobs: null, finish_reason: finish }], usage } };
  async function* stream(): AsyncGenerator<StreamItem> {
    for (const token of tokens)
      yield `data: ${JSON.stringify({ ...head, choices: [{ index: 0, text: token, logprobs: null, finish_reason: null }] })}\n\n`;
    yield `data: ${JSON.stringify({ ...head, choices: [{ index: 0, text: '', logprobs: null, finish_reason: finish }] })}\n\n`;
    if (body.stream_options?.include_usage) yield `data: ${JSON.stringify({ ...head, choices: [], usage })}\n\n`;
    yield 'data: [DONE]\n\n';
  }
  return { stream: stream(), contentType: 'text/event-stream' };
}

const argsObject = (call: { arguments: string | Record<string, unknown> }) =>
  typeof call.arguments === 'string' ? JSON.parse(call.arguments) : call.arguments;
const argsText = (call: { arguments: string | Record<string, unknown> }) =>
  typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);

function wholeCall(call: ScriptedAnswer['calls'] extends (infer C)[] | undefined ? C : never, i: number, style: ContainerStyle) {
  if (style.tools === 'tgi' || style.tools === 'tgi-legacy') {
    const args = style.tools === 'tgi-legacy' ? argsObject(call) : argsText(call);
    return { id: String(i), type: 'function', function: { description: null, name: call.name, arguments: args } };
  }
  return {
    id: `chatcmpl-tool-${crypto.randomUUID().replaceAll('-', '')}`,
    type: 'function',
    function: { name: call.name, arguments: argsText(call) },
  };
}

function* streamedCalls(
  calls: NonNullable<ScriptedAnswer['calls']>,
  style: ContainerStyle,
  delta: (d: object) => string,
  pieces: (s: string) => string[],
): Generator<StreamItem> {
  if (style.tools === 'tgi-legacy') {
    // The grammar's own JSON, one token at a time, in a single tool_calls object (not an array).
    for (const call of calls.slice(0, 1)) {
      const raw = JSON.stringify({ function: { _name: call.name, ...argsObject(call) } });
      for (const piece of pieces(raw).flatMap((p) => p.match(/.{1,3}/gs) ?? []))
        yield delta({
          role: 'assistant',
          content: null,
          tool_calls: { index: 0, id: '', type: 'function', function: { name: null, arguments: piece } },
        });
    }
    return;
  }
  if (style.tools === 'tgi') {
    for (const call of calls.slice(0, 1)) {
      const args = argsText(call);
      yield delta({
        role: 'assistant',
        content: null,
        tool_calls: [{ index: 0, id: '0', type: 'function', function: { name: call.name, arguments: args.slice(0, 1) } }],
      });
      for (const piece of pieces(args.slice(1)).flatMap((p) => p.match(/.{1,4}/gs) ?? []))
        yield delta({
          role: 'assistant',
          content: null,
          tool_calls: [{ index: 0, id: '0', type: 'function', function: { name: null, arguments: piece } }],
        });
    }
    return;
  }
  for (const [index, call] of calls.entries()) {
    const id = `chatcmpl-tool-${crypto.randomUUID().replaceAll('-', '')}`;
    yield delta({ tool_calls: [{ index, id, type: 'function', function: { name: call.name } }] });
    for (const piece of pieces(argsText(call)).flatMap((p) => p.match(/.{1,6}/gs) ?? []))
      yield delta({ tool_calls: [{ index, function: { arguments: piece } }] });
  }
}

/**
 * The demo's answer. Offered tools, it calls one when the last message (the user's) names it, or asks
 * to run a command (`run \`ls -l\``) and a shell-like tool (a `cmd` or `command` parameter) is there,
 * or when `tool_choice` forces one; arguments come from a JSON object in the message, else from the
 * tool's schema. After a tool's result it reports the result. Otherwise it echoes (`reply`).
 */
export function demoAnswer(body: ChatBody, reply: (text: string, body: ChatBody) => string = demoReply): ScriptedAnswer {
  // System messages a client puts after the user's turn (Claude Code's environment note) end no turn.
  const all = body.messages ?? [];
  let end = all.length;
  while (end > 0 && all[end - 1]!.role === 'system') end--;
  const messages = all.slice(0, end);
  const last = messages.at(-1);
  if (last?.role === 'tool') {
    const result = textOf(last.content).trim();
    return {
      text: `Hello from the sagegate demo model (a stand-in, not a real LLM). The tool returned: "${result.length > 300 ? `${result.slice(0, 300)}…` : result}"`,
    };
  }
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const text = textOf(lastUser?.content);
  const call = last?.role === 'user' && body.tool_choice !== 'none' ? demoToolCall(text, body) : undefined;
  return call ? { calls: [call] } : { text: reply(text, body) };
}

function demoToolCall(text: string, body: ChatBody): { name: string; arguments: Record<string, unknown> } | undefined {
  const tools = (body.tools ?? []).filter((t) => t.type === 'function' && t.function).map((t) => t.function!);
  if (!tools.length) return undefined;
  const choice = body.tool_choice as { function?: { name?: string } } | string | undefined;
  const forcedName = typeof choice === 'object' ? choice?.function?.name : undefined;
  const command = /`([^`]+)`/.exec(text)?.[1] ?? /\b(?:run|execute)\s*:?\s+(.+)$/i.exec(text.trim())?.[1];
  const shell = tools.find((t) => t.parameters?.properties && ('cmd' in t.parameters.properties || 'command' in t.parameters.properties));
  const named = tools
    .filter((t) => new RegExp(`\\b${t.name.replace(/[^\w]/g, '\\$&')}\\b`, 'i').test(text))
    .sort((a, b) => b.name.length - a.name.length)[0];
  const tool =
    (forcedName && tools.find((t) => t.name === forcedName)) ||
    named ||
    (command && /\b(run|execute)\b/i.test(text) ? shell : undefined) ||
    (choice === 'required' ? tools[0] : undefined);
  if (!tool) return undefined;
  return { name: tool.name, arguments: demoArguments(tool.parameters, text, command) };
}

/** A JSON object written in the message, else values made up from the schema (a command for `cmd`). */
function demoArguments(schema: JsonSchema | undefined, text: string, command: string | undefined): Record<string, unknown> {
  const json = /\{[\s\S]*\}/.exec(text)?.[0];
  if (json) {
    try {
      const value = JSON.parse(json);
      if (typeof value === 'object' && value && !Array.isArray(value)) return value;
    } catch {
      // not JSON: made up below
    }
  }
  const properties = schema?.properties ?? {};
  // A quoted phrase, else a name: a capitalised word that does not start a sentence ("weather in Paris?").
  const quoted = /["“]([^"”]+)["”]/.exec(text)?.[1];
  const name = [...text.matchAll(/(^|[.!?]\s+|\s)([A-Z][\w-]*)/g)].find((m) => m[1] !== '' && !/[.!?]/.test(m[1]!))?.[2];
  const out: Record<string, unknown> = {};
  for (const key of schema?.required ?? Object.keys(properties)) {
    const property = properties[key] ?? {};
    const type = Array.isArray(property.type) ? property.type[0] : property.type;
    if ((key === 'cmd' || key === 'command') && command) out[key] = type === 'array' ? ['bash', '-lc', command] : command;
    else if (property.enum?.length) out[key] = property.enum[0];
    else if (type === 'number' || type === 'integer') out[key] = 1;
    else if (type === 'boolean') out[key] = true;
    else if (type === 'array') out[key] = [];
    else if (type === 'object') out[key] = {};
    else out[key] = command ?? quoted ?? name ?? 'demo';
  }
  return out;
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
