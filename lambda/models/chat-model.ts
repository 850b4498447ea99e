import type { ModelConfig } from '../config/config.js';
import { invalidRequest } from '../core/gateway-error.js';
import type { ChatDialect } from '../dialects/index.js';
import { fitPayload } from '../images/fit-payload.js';
import type { ImageFetcher } from '../images/image-fetcher.js';
import { imageParts, imagePath } from '../images/image-parts.js';
import { IMAGE_PRESETS } from '../images/image-presets.js';
import { prepareImages } from '../images/prepare-images.js';
import type { ChatRequest } from '../openai/chat-request.js';
import type { ChatStreamEvent } from '../openai/chat-types.js';
import { promptChars } from '../openai/usage-estimate.js';
import { invokeJson, payloadTooLarge, type Transport } from '../upstreams/index.js';
import { answerStream, decodedEvents, stopSequences, wholeAsEvents, wholeUsage } from './answer-events.js';
import type { AnswerModel } from './answer-model.js';
import { normaliseAnswer, StreamNormaliser } from './answer-normaliser.js';
import { applyStops, StreamStops } from './stop-sequences.js';
import { explainedRefusal, runnableTools } from './tool-requests.js';

/** A chat model as the API adapters use it: chat completions, the Responses API. */
export type ChatModel = AnswerModel<ChatRequest>;

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

  const stopsOf = (request: ChatRequest) => stopSequences(request.stop, config.defaults.stop, dialect.endOfTurn);

  async function answer(request: ChatRequest, signal: AbortSignal) {
    const payload = await encode(request, false);
    const result = dialect.decodeResponse(await invokeJson(transport, payload, signal, name));
    const stops = stopsOf(request);
    return normaliseAnswer(stops.length ? applyStops(result, stops) : result, await dialect.answerConventions?.(request));
  }

  /** The prepared request's events: the generator that reads the upstream, not one more around it. */
  async function events(request: ChatRequest, signal: AbortSignal): Promise<AsyncGenerator<ChatStreamEvent>> {
    const decoder = dialect.createStreamDecoder?.();
    // Whole answers are normalised (and cut at stops) already; streams are, choice by choice.
    if (!decoder) return wholeAsEvents(() => answer(request, signal));
    const stops = stopsOf(request);
    const normaliser = new StreamNormaliser(await dialect.answerConventions?.(request));
    const steps = stops.length ? [new StreamStops(stops, request.n ?? 1), normaliser] : [normaliser];
    return decodedEvents(transport, () => encode(request, true), decoder, signal, steps);
  }

  return {
    name,
    reportsUsage: dialect.usage === 'full',
    async complete(request, signal) {
      try {
        const prepared = await prepare(request, signal);
        const result = await answer(prepared, signal);
        return { choices: result.choices, ...wholeUsage(result, promptChars(prepared)), servedBy: config.id };
      } catch (error) {
        throw explainedRefusal(error, config);
      }
    },
    async stream(request, signal) {
      try {
        // Preparing changes images and tools, not the prompt's text: its characters are the request's.
        const upstream = await events(await prepare(request, signal), signal);
        return await answerStream(upstream, promptChars(request), config.id);
      } catch (error) {
        throw explainedRefusal(error, config);
      }
    },
  };
}
