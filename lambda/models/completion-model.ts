import { type ModelConfig, namesOf } from '../core/config.js';
import { invalidRequest } from '../core/gateway-error.js';
import type { ChatDialect } from '../dialects/index.js';
import { FIM_FORMATS, fimFormatOf } from '../dialects/templates/fim-formats.js';
import type { ChatRequest } from '../openai/chat-request.js';
import type { AnswerEvent, ChatChoice, ChatStreamEvent, ReportedUsage } from '../openai/chat-types.js';
import { type CompletionRequest, singlePrompt } from '../openai/completions-request.js';
import { completeUsage } from '../openai/usage-estimate.js';
import { dataPayloads } from '../streaming/data-payloads.js';
import { invokeJson, payloadTooLarge, type Transport } from '../transports/index.js';
import { type Served, started } from './chat-model.js';
import { applyStops, enforceStops } from './stop-sequences.js';

export interface TextCompletion extends Served {
  choices: ChatChoice[];
  usage: import('../openai/chat-types.js').Usage;
  estimated: boolean;
}

/** A streamed completion whose first event is already in. */
export interface CompletionStream extends Served {
  /** Deltas, then one final usage event. */
  events: AsyncIterableIterator<AnswerEvent>;
}

/**
 * A model as legacy completions (`POST /v1/completions`) use it: a raw prompt, no chat template. A
 * `suffix` is rendered in the model's fill-in-the-middle format (`fim`, or told from its names) where
 * it has one, passed on to OpenAI-compatible upstreams, and refused otherwise.
 */
export interface CompletionModel {
  readonly name: string;
  readonly reportsUsage: boolean;
  complete(request: CompletionRequest, signal: AbortSignal): Promise<TextCompletion>;
  stream(request: CompletionRequest, signal: AbortSignal): Promise<CompletionStream>;
}

export function createCompletionModel(
  config: ModelConfig,
  { dialect, transport }: { dialect: ChatDialect; transport: Transport },
): CompletionModel | undefined {
  const encodeCompletion = dialect.encodeCompletion?.bind(dialect);
  if (!encodeCompletion) return undefined;
  const name = config.name;
  const fim = config.fim ?? fimFormatOf(...namesOf(config));

  /** The prompt to send (rendered for fill-in-the-middle, the suffix then in it), and the stops that end the text. */
  function prepare(original: CompletionRequest): { request: CompletionRequest; prompt: string | undefined; stops: string[] } {
    let request = original;
    let prompt = singlePrompt(request);
    const own = request.stop ?? config.defaults.stop;
    const stops = own === undefined || own === null ? [] : typeof own === 'string' ? [own] : [...(own as string[])];
    stops.push(...(dialect.endOfTurn ?? []));
    if (typeof request.suffix === 'string') {
      if (fim && prompt !== undefined) {
        prompt = FIM_FORMATS[fim].render(prompt, request.suffix);
        stops.push(...FIM_FORMATS[fim].stop);
        request = { ...request, suffix: undefined };
      } else if (config.provider !== 'openai') {
        throw invalidRequest(
          `Model '${name}' has no fill-in-the-middle format, so 'suffix' cannot be used (set fim: qwen | starcoder | codellama | deepseek | codestral on a code model trained for it).`,
          'suffix',
          'unsupported_parameter',
        );
      }
    }
    return { request, prompt, stops: stops.filter((s) => s.length > 0) };
  }

  async function encode(request: CompletionRequest, prompt: string | undefined, stream: boolean): Promise<string> {
    const payload = JSON.stringify(await encodeCompletion!(request, prompt, stream));
    const limit = transport.bodyLimit;
    if (limit && Buffer.byteLength(payload) > limit.bytes) throw payloadTooLarge(name, Buffer.byteLength(payload), limit, 'send a shorter prompt');
    return payload;
  }

  /** For usage estimates: the prompt as a one-message chat. */
  const asChat = (request: CompletionRequest, prompt: string | undefined): ChatRequest =>
    ({ model: name, messages: [{ role: 'user', content: prompt ?? JSON.stringify(request.prompt) }] }) as ChatRequest;

  async function* events(original: CompletionRequest, signal: AbortSignal): AsyncGenerator<AnswerEvent> {
    const { request, prompt, stops } = prepare(original);
    const decoder = dialect.createCompletionStreamDecoder?.() ?? dialect.createStreamDecoder?.();
    let upstream: AsyncIterable<ChatStreamEvent>;
    if (decoder) {
      upstream = (async function* () {
        const bytes = await transport.invokeStream(await encode(request, prompt, true), signal);
        for await (const data of dataPayloads(bytes)) yield* decoder.decode(data);
      })();
    } else {
      upstream = (async function* () {
        const result = await whole(request, prompt, stops, signal);
        for (const choice of result.choices)
          yield { type: 'delta', index: choice.index, delta: { content: choice.message.content }, finishReason: choice.finish_reason };
        if (result.usage) yield { type: 'usage', usage: result.usage };
      })();
    }
    if (decoder && stops.length) upstream = enforceStops(upstream, stops, request.n ?? 1);
    let reported: ReportedUsage | undefined;
    let chars = 0;
    for await (const event of upstream) {
      if (event.type === 'usage') reported = event.usage;
      else {
        chars += typeof event.delta.content === 'string' ? event.delta.content.length : 0;
        yield event;
      }
    }
    yield { type: 'usage', ...completeUsage(asChat(request, prompt), reported, chars) };
  }

  async function whole(request: CompletionRequest, prompt: string | undefined, stops: string[], signal: AbortSignal) {
    const body = await invokeJson(transport, await encode(request, prompt, false), signal, name);
    const result = (dialect.decodeCompletion ?? dialect.decodeResponse).call(dialect, body);
    return stops.length ? applyStops(result, stops) : result;
  }

  return {
    name,
    reportsUsage: dialect.usage === 'full',
    async complete(original, signal) {
      const { request, prompt, stops } = prepare(original);
      const result = await whole(request, prompt, stops, signal);
      const chars = result.choices.reduce((n, c) => n + (c.message.content?.length ?? 0), 0);
      return { choices: result.choices, ...completeUsage(asChat(request, prompt), result.usage, chars), servedBy: config.id };
    },
    async stream(request, signal) {
      return { events: await started(events(request, signal)), servedBy: config.id };
    },
  };
}
