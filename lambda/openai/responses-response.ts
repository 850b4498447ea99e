import type { GatewayError } from '../core/gateway-error.js';
import type { AnswerEvent, ChatChoice, FinishReason, Usage } from './chat-types.js';
import type { ResponsesRequest, ToolNames } from './responses-request.js';

/**
 * OpenAI's Responses API answer: the `response` object and its typed event stream, built from a chat
 * model's answer (docs/wire-facts.md §8). One id from `response.created` to the end; items are opened
 * and closed one at a time, in order (`output_index` 0, 1, ...), every item-scoped event naming its
 * item's id, and the terminal event carries the whole output and usage: what the official SDKs'
 * stream helpers check, what Codex builds its history from, and what the Agents SDK reads.
 */
export interface ResponseMeta {
  id: string;
  createdAt: number;
  /** The name the client asked for. */
  model: string;
  request: ResponsesRequest;
  /** Whether the response is kept (`store` with a table configured). */
  store: boolean;
}

export const newId = (prefix: string) => `${prefix}_${crypto.randomUUID().replaceAll('-', '')}`;

export function newResponseMeta(request: ResponsesRequest, store: boolean): ResponseMeta {
  return { id: newId('resp'), createdAt: Math.floor(Date.now() / 1000), model: request.model, request, store };
}

export type OutputItem = Record<string, unknown> & { id: string; type: string };
type Status = 'in_progress' | 'completed' | 'incomplete' | 'failed';

export interface ResponseObject extends Record<string, unknown> {
  id: string;
  status: Status;
  output: OutputItem[];
}

/** The response object, with the request's settings echoed as OpenAI echoes them. */
export function responseObject(
  meta: ResponseMeta,
  status: Status,
  output: OutputItem[],
  extra: { usage?: Usage; finish?: FinishReason | null; error?: GatewayError } = {},
): ResponseObject {
  const r = meta.request;
  const incomplete = status === 'incomplete' ? { reason: extra.finish === 'content_filter' ? 'content_filter' : 'max_output_tokens' } : null;
  return {
    id: meta.id,
    object: 'response',
    created_at: meta.createdAt,
    ...(status === 'completed' && { completed_at: Math.floor(Date.now() / 1000) }),
    status,
    model: meta.model,
    output,
    error: extra.error ? { code: extra.error.code ?? 'server_error', message: extra.error.message } : null,
    incomplete_details: incomplete,
    instructions: r.instructions ?? null,
    metadata: r.metadata ?? {},
    parallel_tool_calls: r.parallel_tool_calls ?? true,
    temperature: r.temperature ?? null,
    top_p: r.top_p ?? null,
    tool_choice: r.tool_choice ?? 'auto',
    tools: r.tools ?? [],
    text: r.text ?? { format: { type: 'text' } },
    reasoning: { effort: r.reasoning?.effort ?? null, summary: r.reasoning?.summary ?? null },
    max_output_tokens: r.max_output_tokens ?? null,
    previous_response_id: r.previous_response_id ?? null,
    store: meta.store,
    truncation: 'disabled',
    background: false,
    service_tier: 'default',
    user: r.user ?? null,
    usage: extra.usage ? responseUsage(extra.usage) : null,
  };
}

/** `length` and `content_filter` end a response as incomplete. */
export const statusOf = (finish: FinishReason | null | undefined): Status =>
  finish === 'length' || finish === 'content_filter' ? 'incomplete' : 'completed';

export function responseUsage(usage: Usage) {
  const cached = (usage.prompt_tokens_details as { cached_tokens?: unknown } | undefined)?.cached_tokens;
  const reasoning = (usage.completion_tokens_details as { reasoning_tokens?: unknown } | undefined)?.reasoning_tokens;
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: { cached_tokens: typeof cached === 'number' ? cached : 0 },
    output_tokens: usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: typeof reasoning === 'number' ? reasoning : 0 },
    total_tokens: usage.total_tokens,
  };
}

/** The output items of a whole answer: its thinking, its text, then one item per call. */
export function outputItems(choice: ChatChoice, names: ToolNames): OutputItem[] {
  const items: OutputItem[] = [];
  const { reasoning_content: reasoning, content, tool_calls: calls } = choice.message;
  if (typeof reasoning === 'string' && reasoning) items.push(reasoningItem(newId('rs'), reasoning, 'completed'));
  if (typeof content === 'string' && content) items.push(messageItem(newId('msg'), content, statusOf(choice.finish_reason)));
  if (Array.isArray(calls)) {
    for (const call of calls as { id: string; function: { name: string; arguments: string } }[]) {
      items.push(callItem(call.id, call.function.name, call.function.arguments, names, 'completed'));
    }
  }
  // An empty answer is still an (empty) message, as OpenAI gives it.
  if (items.length === 0) items.push(messageItem(newId('msg'), '', statusOf(choice.finish_reason)));
  return items;
}

const textPart = (text: string) => ({ type: 'output_text', text, annotations: [], logprobs: [] });

function messageItem(id: string, text: string | undefined, status: Status): OutputItem {
  return { id, type: 'message', status, role: 'assistant', content: text === undefined ? [] : [textPart(text)] };
}

function reasoningItem(id: string, text: string | undefined, status: Status): OutputItem {
  return {
    id,
    type: 'reasoning',
    status,
    summary: [],
    content: text === undefined ? [] : [{ type: 'reasoning_text', text }],
    encrypted_content: null,
  };
}

/** A chat call as the client offered the tool: a function (with its namespace), or a custom tool's input. */
function callItem(callId: string, chatName: string, args: string, names: ToolNames, status: Status): OutputItem {
  const tool = names.get(chatName);
  if (tool?.kind === 'custom') {
    return { id: newId('ctc'), type: 'custom_tool_call', status, call_id: callId, name: tool.name, input: customInput(args), ...namespaced(tool) };
  }
  return { id: newId('fc'), type: 'function_call', status, call_id: callId, name: tool?.name ?? chatName, arguments: args, ...namespaced(tool) };
}

const namespaced = (tool: { namespace?: string } | undefined) => (tool?.namespace ? { namespace: tool.namespace } : {});

/** A custom tool's raw input, from the `{"input": ...}` the model wrote as the function's arguments. */
function customInput(args: string): string {
  try {
    const value = JSON.parse(args);
    if (typeof value?.input === 'string') return value.input;
    const strings = typeof value === 'object' && value ? Object.values(value).filter((v) => typeof v === 'string') : [];
    if (strings.length === 1) return strings[0] as string;
  } catch {
    // not JSON: the model wrote the input itself
  }
  return args;
}

const sse = (type: string, payload: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;

interface OpenItem {
  item: OutputItem;
  outputIndex: number;
  kind: 'reasoning' | 'message' | 'call';
  text: string;
  /** The chat tool call index this item streams (calls only). */
  callIndex?: number;
  custom?: boolean;
}

/**
 * The typed event stream of one response, fed a chat model's events: `response.created`,
 * `response.in_progress`, then each item (`output_item.added`, its content part, deltas, `.done`
 * events, `output_item.done`), then `response.completed` / `response.incomplete`, or, after a
 * failure, `response.failed` and an `error` event. Every event carries `sequence_number`.
 */
export class ResponseEventWriter {
  private seq = 0;
  private readonly output: OutputItem[] = [];
  private open: OpenItem | undefined;
  private readonly calls = new Map<number, OpenItem>();
  private finish: FinishReason | null | undefined;
  private usage: Usage | undefined;

  constructor(
    private readonly meta: ResponseMeta,
    private readonly names: ToolNames,
  ) {}

  private event(type: string, payload: Record<string, unknown>): string {
    return sse(type, { sequence_number: this.seq++, ...payload });
  }

  start(): string {
    const response = responseObject(this.meta, 'in_progress', []);
    return this.event('response.created', { response }) + this.event('response.in_progress', { response });
  }

  /** The events for one chat event (several, or none). */
  take(event: AnswerEvent): string {
    if (event.type === 'usage') {
      this.usage = event.usage;
      return '';
    }
    if (event.index !== 0) return '';
    let out = '';
    const { reasoning_content: reasoning, content, tool_calls: calls } = event.delta;
    if (typeof reasoning === 'string' && reasoning) out += this.text('reasoning', reasoning);
    if (typeof content === 'string' && content) out += this.text('message', content);
    if (Array.isArray(calls)) for (const call of calls) out += this.call(call as CallDelta);
    if (event.finishReason) this.finish = event.finishReason;
    return out;
  }

  /** Closes what is open; the final response, for the caller to store before it is sent. */
  finalResponse(): { events: string; response: ResponseObject } {
    let events = this.close();
    // An empty answer is still an (empty) message.
    if (this.output.length === 0) events += this.text('message', '') + this.close();
    return { events, response: this.response() };
  }

  /** `response.completed` (or `.incomplete`) with the whole output and usage. */
  terminal(response: ResponseObject): string {
    return this.event(response.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response });
  }

  /** After a failure mid-stream: the open item closed, `response.failed`, and an `error` event the SDKs raise. */
  fail(error: GatewayError): string {
    const closing = this.close('incomplete');
    const response = responseObject(this.meta, 'failed', this.output, { usage: this.usage, error });
    return (
      closing +
      this.event('response.failed', { response }) +
      this.event('error', { code: error.code ?? 'server_error', message: error.message, param: error.param })
    );
  }

  private response(): ResponseObject {
    return responseObject(this.meta, statusOf(this.finish), this.output, { usage: this.usage, finish: this.finish });
  }

  private text(kind: 'reasoning' | 'message', delta: string): string {
    let out = '';
    if (this.open?.kind !== kind) {
      out += this.close();
      const id = newId(kind === 'reasoning' ? 'rs' : 'msg');
      const item = kind === 'reasoning' ? reasoningItem(id, undefined, 'in_progress') : messageItem(id, undefined, 'in_progress');
      this.open = { item, outputIndex: this.output.length, kind, text: '' };
      out += this.event('response.output_item.added', { output_index: this.open.outputIndex, item });
      const part = kind === 'reasoning' ? { type: 'reasoning_text', text: '' } : textPart('');
      out += this.event('response.content_part.added', { item_id: id, output_index: this.open.outputIndex, content_index: 0, part });
    }
    const open = this.open!;
    open.text += delta;
    if (delta === '') return out;
    const where = { item_id: open.item.id, output_index: open.outputIndex, content_index: 0, delta };
    return (
      out +
      (kind === 'reasoning'
        ? this.event('response.reasoning_text.delta', where)
        : this.event('response.output_text.delta', { ...where, logprobs: [] }))
    );
  }

  private call(delta: CallDelta): string {
    const index = typeof delta.index === 'number' ? delta.index : 0;
    const args = delta.function?.arguments;
    let open = this.calls.get(index);
    let out = '';
    if (!open) {
      // The normaliser announces each call with its id and name before any arguments.
      out += this.close();
      const item = callItem(delta.id ?? newId('call'), delta.function?.name ?? '', '', this.names, 'in_progress');
      const custom = item.type === 'custom_tool_call';
      open = { item, outputIndex: this.output.length, kind: 'call', text: '', callIndex: index, custom };
      this.calls.set(index, open);
      this.open = open;
      out += this.event('response.output_item.added', { output_index: open.outputIndex, item });
    }
    if (typeof args === 'string' && args) {
      open.text += args;
      if (this.open !== open) {
        // A container that interleaves calls: the item is closed already; the final output gets the whole arguments.
        const done = this.output[open.outputIndex];
        if (done) Object.assign(done, open.custom ? { input: customInput(open.text) } : { arguments: open.text });
      } else if (!open.custom) {
        // Free-form input is unwrapped from the JSON at the end; function arguments stream as they come.
        out += this.event('response.function_call_arguments.delta', { item_id: open.item.id, output_index: open.outputIndex, delta: args });
      }
    }
    return out;
  }

  /** The `.done` events of the open item, which joins the output. */
  private close(status: Status = 'completed'): string {
    const open = this.open;
    if (!open) return '';
    this.open = undefined;
    const { item, outputIndex } = open;
    const where = { item_id: item.id, output_index: outputIndex };
    let out = '';
    let done: OutputItem;
    if (open.kind === 'call') {
      if (open.custom) {
        const input = customInput(open.text);
        out += this.event('response.custom_tool_call_input.delta', { ...where, delta: input });
        out += this.event('response.custom_tool_call_input.done', { ...where, input });
        done = { ...item, status, input };
      } else {
        out += this.event('response.function_call_arguments.done', { ...where, name: item.name, arguments: open.text });
        done = { ...item, status, arguments: open.text };
      }
    } else if (open.kind === 'reasoning') {
      const part = { type: 'reasoning_text', text: open.text };
      out += this.event('response.reasoning_text.done', { ...where, content_index: 0, text: open.text });
      out += this.event('response.content_part.done', { ...where, content_index: 0, part });
      done = reasoningItem(item.id, open.text, status);
    } else {
      const itemStatus = status === 'completed' ? statusOf(this.finish) : status;
      out += this.event('response.output_text.done', { ...where, content_index: 0, text: open.text, logprobs: [] });
      out += this.event('response.content_part.done', { ...where, content_index: 0, part: textPart(open.text) });
      done = messageItem(item.id, open.text, itemStatus);
    }
    this.output.push(done);
    return out + this.event('response.output_item.done', { output_index: outputIndex, item: done });
  }
}

interface CallDelta {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}
