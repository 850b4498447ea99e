import { log } from '../core/log.js';
import type { AnswerConventions } from '../dialects/index.js';
import { ThinkSplitter } from '../dialects/think-tags.js';
import { jsonValues, type ParsedToolCall, type ToolCallTextParser } from '../dialects/tool-calls/tool-call-text.js';
import type { ChatChoice, ChatResult, ChatStreamEvent, DeltaEvent, FinishReason } from '../openai/chat-types.js';
import type { EventStep } from './answer-events.js';

/**
 * Answers in OpenAI's shape, whatever the container sent (docs/wire-facts.md §8):
 * - thinking in `reasoning_content`: vLLM's newer `reasoning` field renamed, `<think>` tags split out
 *   of the text where the container leaves them in (across chunk boundaries);
 * - tool calls as OpenAI's: ids and indexes kept (made where missing), `arguments` always a JSON string
 *   (TGI sends objects; vLLM's Hermes parser may drop the last `}` or send nothing for `{}`), calls
 *   written in the text read in the template family's format, and streamed as OpenAI streams them:
 *   `{index, id, type, function: {name, arguments: ""}}` first, then argument fragments;
 * - `finish_reason: "tool_calls"` when the answer is a call (TGI never says so, and its tool streams
 *   end without any finish reason).
 */
export function normaliseAnswer(result: ChatResult, conventions: AnswerConventions | undefined): ChatResult {
  return { ...result, choices: result.choices.map((choice) => normaliseChoice(choice, conventions)) };
}

interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

function normaliseChoice(choice: ChatChoice, conventions: AnswerConventions | undefined): ChatChoice {
  const message = { ...choice.message };
  let reasoning = text(message.reasoning_content) ?? text(message.reasoning);
  delete message.reasoning;
  let content = message.content;
  const calls = containerCalls(message.tool_calls);
  if (typeof content === 'string' && conventions) {
    if (conventions.thinking !== 'off' && reasoning === undefined) {
      const splitter = new ThinkSplitter(conventions.thinking);
      const a = splitter.push(content);
      const b = splitter.end();
      if (a.reasoning + b.reasoning) reasoning = a.reasoning + b.reasoning;
      content = a.text + b.text;
    }
    if (conventions.toolCalls) {
      const parser = conventions.toolCalls();
      const a = parser.push(content);
      const b = parser.end();
      const found = [...a.calls, ...b.calls];
      if (found.length) {
        calls.push(...found.map((c) => toolCall(c.id, c.name, c.arguments)));
        content = a.text + b.text;
      }
    }
  }
  if (conventions?.singleCall) calls.splice(1);
  let finish = choice.finish_reason;
  if (calls.length) {
    message.tool_calls = calls;
    if (typeof content === 'string' && content.trim() === '') content = null;
    if (finish === 'stop') finish = 'tool_calls';
  } else if (message.tool_calls !== undefined && !Array.isArray(message.tool_calls)) {
    delete message.tool_calls;
  }
  if (reasoning) message.reasoning_content = reasoning;
  message.content = content;
  return { ...choice, message, finish_reason: finish };
}

/** A container's calls in OpenAI's shape: TGI's object arguments and `description`, missing ids. */
function containerCalls(raw: unknown): ToolCall[] {
  if (!Array.isArray(raw)) return [];
  const calls: ToolCall[] = [];
  for (const item of raw) {
    const c = item as { id?: unknown; function?: { name?: unknown; arguments?: unknown } } | null;
    const name = c?.function?.name;
    if (typeof name !== 'string' || !name) continue;
    const args = c!.function!.arguments;
    calls.push(toolCall(c!.id, name, typeof args === 'string' ? args : JSON.stringify(args ?? {})));
  }
  return calls;
}

function toolCall(id: unknown, name: string, args: string): ToolCall {
  return { id: typeof id === 'string' && id ? id : newCallId(), type: 'function', function: { name, arguments: repaired(args) } };
}

/** Arguments as valid JSON where a known container bug broke them; anything else as sent. */
function repaired(args: string): string {
  return args + (argumentsRepair(args) ?? '');
}

/** What to append to streamed arguments: `{}` for none, the `}` vLLM's Hermes parser may drop. */
function argumentsRepair(args: string): string | undefined {
  if (args.trim() === '') return '{}';
  if (isJson(args)) return undefined;
  return isJson(`${args}}`) ? '}' : undefined;
}

function isJson(value: string): boolean {
  try {
    JSON.parse(value);
    return true;
  } catch {
    return false;
  }
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A call id in OpenAI's form, for calls that came without one. */
export function newCallId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  let id = 'call_';
  for (const b of bytes) id += ALPHANUMERIC[b % ALPHANUMERIC.length];
  return id;
}

/** The stream form of `normaliseAnswer`, choice by choice: a step of `decodedEvents`. */
export class StreamNormaliser implements EventStep {
  private readonly choices = new Map<number, StreamedChoice>();

  constructor(private readonly conventions: AnswerConventions | undefined) {}

  take(event: ChatStreamEvent): ChatStreamEvent[] {
    if (event.type !== 'delta') return [event];
    let choice = this.choices.get(event.index);
    if (!choice) {
      choice = new StreamedChoice(event.index, this.conventions);
      this.choices.set(event.index, choice);
    }
    return choice.take(event);
  }

  /** Choices that never said why they ended (TGI's tool streams) end here. */
  end(): ChatStreamEvent[] {
    const out: ChatStreamEvent[] = [];
    for (const choice of this.choices.values()) out.push(...choice.end());
    return out;
  }
}

interface StreamedCall {
  index: number;
  id?: string;
  name?: string;
  args: string;
  /** Arguments that came before the call's name (sent once it is announced). */
  early: string;
  announced: boolean;
}

class StreamedChoice {
  private splitter: ThinkSplitter | undefined;
  private readonly parser: ToolCallTextParser | undefined;
  private readonly singleCall: boolean;
  /** The container splits thinking itself (it sent a reasoning field): its text is left alone. */
  private containerThinks = false;
  /** White space held while the answer may turn out to be calls only. */
  private space = '';
  private readonly calls = new Map<number, StreamedCall>();
  private callCount = 0;
  /** TGI up to 3.1 streams its grammar's raw JSON, `{"function": {"_name": ...}}`, a token at a time. */
  private grammarJson: string | undefined;
  private finished = false;
  /** Whether anything of this choice has gone out yet. */
  private started = false;
  private out: DeltaEvent[] = [];

  constructor(
    private readonly index: number,
    conventions: AnswerConventions | undefined,
  ) {
    this.splitter = conventions && conventions.thinking !== 'off' ? new ThinkSplitter(conventions.thinking) : undefined;
    this.parser = conventions?.toolCalls?.();
    this.singleCall = conventions?.singleCall ?? false;
  }

  take(event: DeltaEvent): DeltaEvent[] {
    const delta = event.delta;
    // The common case, once the start of the answer is known: text only, passed on as it came (and
    // before any copy of the delta: this runs for every chunk).
    const plain = !this.splitter && !this.parser && this.grammarJson === undefined;
    if (plain && delta.reasoning_content === undefined && delta.reasoning === undefined && delta.tool_calls === undefined) {
      if (!event.finishReason || this.callCount === 0) {
        if (event.finishReason) this.finished = true;
        this.started = true;
        return [event];
      }
    }
    const { content, reasoning_content, reasoning, tool_calls, role: _role, ...rest } = delta;
    this.out = [];
    const thought = text(reasoning_content) ?? text(reasoning);
    if (thought) {
      this.containerThinks = true;
      this.emit({ reasoning_content: thought });
    }
    if (typeof content === 'string' && content !== '') this.takeText(content, event.logprobs);
    if (Array.isArray(tool_calls)) for (const [i, call] of tool_calls.entries()) this.takeCall(call, i);
    else if (tool_calls && typeof tool_calls === 'object') this.grammarJson = (this.grammarJson ?? '') + (argumentsOf(tool_calls) ?? '');
    if (Object.keys(rest).length && this.out.length) Object.assign(this.out[0]!.delta, rest);
    if (event.finishReason && !this.finished) this.finish(event.finishReason);
    // The container's first event goes out even when it holds nothing yet (a role, held-back text): it
    // is what decides the status and starts the stream, so a model that thinks for minutes before its
    // first token still gets its headers, and pings, at once.
    if (!this.started && this.out.length === 0) this.emit({});
    this.started = true;
    return this.out;
  }

  end(): DeltaEvent[] {
    if (this.finished) return [];
    this.out = [];
    this.finish('stop');
    return this.out;
  }

  private emit(delta: DeltaEvent['delta'], extra: Partial<DeltaEvent> = {}): void {
    this.out.push({ type: 'delta', index: this.index, delta, ...extra });
  }

  private takeText(chunk: string, logprobs?: unknown): void {
    let answer = chunk;
    if (this.splitter && !this.containerThinks) {
      const split = this.splitter.push(chunk);
      if (split.reasoning) this.emit({ reasoning_content: split.reasoning });
      answer = split.text;
      if (this.splitter.done) this.splitter = undefined;
    }
    if (this.parser) {
      const parsed = this.parser.push(answer);
      this.emitText(parsed.text, logprobs);
      this.takeParsed(parsed.calls);
    } else this.emitText(answer, logprobs);
  }

  private emitText(answer: string, logprobs?: unknown): void {
    if (answer === '') return;
    if (this.parser && (this.space + answer).trim() === '') {
      this.space += answer;
      return;
    }
    this.emit({ content: this.space + answer }, logprobs ? { logprobs } : {});
    this.space = '';
  }

  private takeParsed(calls: ParsedToolCall[]): void {
    for (const parsed of calls) {
      if (this.singleCall && this.callCount > 0) return;
      const call: StreamedCall = { index: this.callCount++, id: parsed.id, name: parsed.name, args: '', early: '', announced: false };
      this.calls.set(-1 - call.index, call);
      this.announce(call);
      this.addArguments(call, parsed.arguments);
    }
  }

  private takeCall(raw: unknown, position: number): void {
    const delta = raw as { index?: unknown; id?: unknown; function?: { name?: unknown; arguments?: unknown } } | null;
    if (!delta) return;
    const key = typeof delta.index === 'number' ? delta.index : position;
    let call = this.calls.get(key);
    if (!call) {
      call = { index: this.callCount++, args: '', early: '', announced: false };
      this.calls.set(key, call);
    }
    if (!call.id && typeof delta.id === 'string' && delta.id) call.id = delta.id;
    const name = delta.function?.name;
    if (!call.name && typeof name === 'string' && name) call.name = name;
    const args = argumentsOf(delta);
    if (!call.announced && call.name) this.announce(call);
    if (args) this.addArguments(call, args);
  }

  private announce(call: StreamedCall): void {
    call.id ??= newCallId();
    call.announced = true;
    this.emit({ tool_calls: [{ index: call.index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] });
    if (call.early) {
      const early = call.early;
      call.early = '';
      this.addArguments(call, early);
    }
  }

  private addArguments(call: StreamedCall, args: string): void {
    if (!call.announced) {
      call.early += args;
      return;
    }
    call.args += args;
    this.emit({ tool_calls: [{ index: call.index, function: { arguments: args } }] });
  }

  private finish(reason: FinishReason): void {
    this.finished = true;
    if (this.splitter && !this.containerThinks) {
      const rest = this.splitter.end();
      if (rest.reasoning) this.emit({ reasoning_content: rest.reasoning });
      if (rest.text) this.takeText(rest.text);
    }
    this.splitter = undefined;
    if (this.parser) {
      const rest = this.parser.end();
      this.emitText(rest.text);
      this.takeParsed(rest.calls);
    }
    if (this.grammarJson !== undefined) this.takeGrammarJson(this.grammarJson);
    for (const call of this.calls.values()) {
      if (!call.announced) {
        if (call.name) this.announce(call);
        else {
          log.warn('dropped a streamed tool call that never named its function', { index: call.index });
          continue;
        }
      }
      const repair = argumentsRepair(call.args);
      if (repair) this.addArguments(call, repair);
    }
    const calls = [...this.calls.values()].some((c) => c.announced);
    if (!calls && this.space) this.emit({ content: this.space });
    this.space = '';
    this.emit({}, { finishReason: calls && reason === 'stop' ? 'tool_calls' : reason });
  }

  /** TGI's `{"function": {"_name": "get_weather", "city": "Paris"}}`; `no_tool` carries a text answer. */
  private takeGrammarJson(json: string): void {
    const [value] = jsonValues(json.trim()) ?? [];
    const fn = (value as { function?: Record<string, unknown> } | undefined)?.function;
    const name = fn?._name;
    if (!fn || typeof name !== 'string') {
      this.emitText(json);
      return;
    }
    const { _name, ...args } = fn;
    if (name === 'no_tool' || name === 'notify_error') {
      this.emitText(String(args.content ?? args.error ?? ''));
      return;
    }
    this.takeParsed([{ name, arguments: JSON.stringify(args) }]);
  }
}

/** A call delta's arguments as text (TGI 2.x sends an object). */
function argumentsOf(delta: object): string | undefined {
  const args = (delta as { function?: { arguments?: unknown } }).function?.arguments;
  if (args === undefined || args === null) return undefined;
  return typeof args === 'string' ? args : JSON.stringify(args);
}
