import type { ModelConfig } from '../core/config.js';
import { invalidRequest } from '../core/gateway-error.js';
import type { ChatDialect } from '../dialects/index.js';
import { fitPayload } from '../images/fit-payload.js';
import type { ImageFetcher } from '../images/image-fetcher.js';
import { imageParts, imagePath } from '../images/image-parts.js';
import { IMAGE_PRESETS } from '../images/image-presets.js';
import { prepareImages } from '../images/prepare-images.js';
import type { ChatRequest } from '../openai/chat-request.js';
import type { AnswerEvent, AnswerUsage, ChatChoice, ChatStreamEvent, ReportedUsage } from '../openai/chat-types.js';
import { completeUsage } from '../openai/usage-estimate.js';
import { dataPayloads } from '../streaming/data-payloads.js';
import { invokeJson, payloadTooLarge, type Transport } from '../transports/index.js';
import { normaliseAnswer, normaliseStream } from './answer-normaliser.js';
import { applyStops, enforceStops } from './stop-sequences.js';
import { explainedRefusal, runnableTools } from './tool-requests.js';

/** Who answered: the deployment, and the fallback group when the one asked for could not. */
export interface Served {
  /** The deployment's id (a model's own name unless several share it). */
  servedBy: string;
  /** The model group that answered, when it is a fallback of the one asked for. */
  fallback?: string;
  /** Attempts it took, retries and fallbacks included (1 when the first answered). */
  attempts?: number;
}

/** A whole answer, with its usage and who answered. */
export interface ChatAnswer extends AnswerUsage, Served {
  choices: ChatChoice[];
}

/** A streamed answer whose first event is already in: its failures can no longer change the HTTP status. */
export interface ChatStream extends Served {
  /** Deltas, then one final usage event. */
  events: AsyncIterableIterator<AnswerEvent>;
}

/**
 * A chat model as the HTTP layer uses it: one per configured model, binding its dialect (what the
 * bytes look like) to its transport (how they travel), built once per container. A router is a
 * ChatModel made of ChatModels.
 */
export interface ChatModel {
  readonly name: string;
  /** Whether usage is the container's own count, known before the first byte (else it is partly estimated). */
  readonly reportsUsage: boolean;
  complete(request: ChatRequest, signal: AbortSignal): Promise<ChatAnswer>;
  /** Resolves once the first event has arrived, so that a failure before it still gets its own status. */
  stream(request: ChatRequest, signal: AbortSignal): Promise<ChatStream>;
}

export interface ChatModelParts {
  dialect: ChatDialect;
  transport: Transport;
  /** Fetches image URLs for vision models. */
  images: ImageFetcher;
}

/** The chat model of one configured model: a SageMaker endpoint or an OpenAI-compatible server. */
export function createChatModel(config: ModelConfig, { dialect, transport, images }: ChatModelParts): ChatModel {
  const name = config.name;
  const imageSettings = config.images ?? IMAGE_PRESETS.default;
  const limit = transport.bodyLimit;
  const fit = limit && {
    maxBytes: limit.bytes,
    minSide: imageSettings.minSide,
    tooLarge: (size: number, advice: string) => payloadTooLarge(name, size, limit, advice),
  };

  /** Checks what no dialect can fix (images for a model without vision), then fetches and fits images. */
  async function prepare(original: ChatRequest, signal: AbortSignal): Promise<ChatRequest> {
    const request = runnableTools(original, config);
    if (!config.vision) {
      const [image] = imageParts(request);
      if (image) throw invalidRequest(`Model '${name}' does not accept images.`, imagePath(image), 'image_not_supported');
      return request;
    }
    return prepareImages(request, name, imageSettings, images, signal);
  }

  /** The container payload, fitted into the transport's body limit (shrinking images if they are why). */
  function encode(request: ChatRequest, stream: boolean): Promise<string> {
    const encodeOnce = async (r: ChatRequest) => JSON.stringify(await dialect.encodeRequest(r, stream));
    return fit ? fitPayload(request, encodeOnce, fit) : encodeOnce(request);
  }

  /** The client's stop sequences (or the model's default ones) plus the template's end-of-turn markers. */
  function stopSequences(request: ChatRequest): string[] {
    const own = request.stop ?? config.defaults.stop;
    const stops = own === undefined || own === null ? [] : typeof own === 'string' ? [own] : [...(own as string[])];
    if (dialect.endOfTurn) stops.push(...dialect.endOfTurn);
    return stops.filter((s) => s.length > 0);
  }

  async function answer(request: ChatRequest, signal: AbortSignal) {
    const payload = await encode(request, false);
    const result = dialect.decodeResponse(await invokeJson(transport, payload, signal, name));
    const stops = stopSequences(request);
    return normaliseAnswer(stops.length ? applyStops(result, stops) : result, await dialect.answerConventions?.(request));
  }

  async function* upstreamEvents(request: ChatRequest, signal: AbortSignal, decoder: { decode(payload: string): ChatStreamEvent[] }) {
    const bytes = await transport.invokeStream(await encode(request, true), signal);
    for await (const data of dataPayloads(bytes)) yield* decoder.decode(data);
  }

  /** For containers that cannot stream: one invoke, its answer sent as a stream. */
  async function* wholeAnswerEvents(request: ChatRequest, signal: AbortSignal): AsyncGenerator<ChatStreamEvent> {
    const result = await answer(request, signal);
    for (const choice of result.choices) {
      const { role: _role, ...delta } = choice.message;
      yield { type: 'delta', index: choice.index, delta, finishReason: choice.finish_reason };
    }
    if (result.usage) yield { type: 'usage', usage: result.usage };
  }

  async function* events(request: ChatRequest, signal: AbortSignal): AsyncGenerator<AnswerEvent> {
    const prepared = await prepare(request, signal);
    const decoder = dialect.createStreamDecoder?.();
    let upstream: AsyncIterable<ChatStreamEvent> = decoder ? upstreamEvents(prepared, signal, decoder) : wholeAnswerEvents(prepared, signal);
    const stops = stopSequences(prepared);
    if (stops.length) upstream = enforceStops(upstream, stops, prepared.n ?? 1);
    // Whole answers are normalised already; streams are, choice by choice.
    if (decoder) upstream = normaliseStream(upstream, await dialect.answerConventions?.(prepared));
    yield* withFinalUsage(upstream, prepared);
  }

  return {
    name,
    reportsUsage: dialect.usage === 'full',
    async complete(request, signal) {
      try {
        const prepared = await prepare(request, signal);
        const result = await answer(prepared, signal);
        const chars = result.choices.reduce((n, choice) => n + answerChars(choice.message), 0);
        return { choices: result.choices, ...completeUsage(prepared, result.usage, chars), servedBy: config.id };
      } catch (error) {
        throw explainedRefusal(error, config);
      }
    },
    async stream(request, signal) {
      try {
        return { events: await started(events(request, signal)), servedBy: config.id };
      } catch (error) {
        throw explainedRefusal(error, config);
      }
    },
  };
}

/** Deltas as they come; the usage the container reported, completed with estimates, as one last event. */
async function* withFinalUsage(events: AsyncIterable<ChatStreamEvent>, request: ChatRequest): AsyncGenerator<AnswerEvent> {
  let reported: ReportedUsage | undefined;
  let chars = 0;
  for await (const event of events) {
    if (event.type === 'usage') {
      reported = event.usage;
      continue;
    }
    chars += answerChars(event.delta);
    yield event;
  }
  yield { type: 'usage', ...completeUsage(request, reported, chars) };
}

/** The characters of an answer (or a delta): text, thinking and call arguments, for usage estimates. */
function answerChars(message: { content?: unknown; reasoning_content?: unknown; tool_calls?: unknown }): number {
  let chars = typeof message.content === 'string' ? message.content.length : 0;
  if (typeof message.reasoning_content === 'string') chars += message.reasoning_content.length;
  if (Array.isArray(message.tool_calls)) for (const call of message.tool_calls) chars += String(call?.function?.arguments ?? '').length;
  return chars;
}

/**
 * The stream with its first event already read: failures before it (refusals, an unreachable
 * upstream) throw here, while the HTTP status can still say so.
 */
export async function started<T>(events: AsyncGenerator<T>): Promise<AsyncIterableIterator<T>> {
  const first = await events.next();
  let pending: IteratorResult<T> | undefined = first;
  const iterator: AsyncIterableIterator<T> = {
    next() {
      if (pending) {
        const result = pending;
        pending = undefined;
        return Promise.resolve(result);
      }
      return events.next();
    },
    return(value?: unknown) {
      pending = undefined;
      return events.return(value as T);
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
