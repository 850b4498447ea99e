import { invalidRequest } from '../http/errors.js';
import type { ChatRequest } from '../openai/chat-request.js';
import type { ChatResult, ChatStreamEvent } from '../openai/chat-types.js';
import { dataPayloads } from '../streaming/data-payloads.js';
import type { ModelRoute } from '../gateway.js';
import { imageParts, imagePath } from '../images/image-parts.js';
import { fitPayload } from '../images/payload-limit.js';
import { invokeJson } from '../providers/invoke-json.js';
import { applyStops, enforceStops } from './stop-sequences.js';

/** Checks what the dialect cannot fix: content the model cannot take. */
export function assertModelAccepts(route: ModelRoute, request: ChatRequest): void {
  if (route.model.vision) return;
  const [image] = imageParts(request);
  if (image) throw invalidRequest(`Model '${route.model.name}' does not accept images.`, imagePath(image), 'image_not_supported');
}

/** The container payload; on SageMaker, fitted into its 6 MB limit (shrinking images if they are why). */
async function encodePayload(route: ModelRoute, request: ChatRequest, stream: boolean): Promise<string> {
  const encode = async (r: ChatRequest) => JSON.stringify(await route.dialect.encodeRequest(r, route.model, stream));
  return route.model.provider === 'sagemaker' ? fitPayload(route.model, request, encode) : encode(request);
}

export async function completeChat(route: ModelRoute, request: ChatRequest, signal: AbortSignal): Promise<ChatResult> {
  const payload = await encodePayload(route, request, false);
  const body = await invokeJson(route.transport, payload, signal, route.model.name);
  const result = route.dialect.decodeResponse(body, route.model);
  const stops = stopSequences(route, request);
  return stops.length ? applyStops(result, stops) : result;
}

/** Normalised events of one streamed answer. Errors before the first event still set the HTTP status. */
export async function* streamChat(route: ModelRoute, request: ChatRequest, signal: AbortSignal): AsyncGenerator<ChatStreamEvent> {
  const stops = stopSequences(route, request);
  const events = route.dialect.streams ? upstreamEvents(route, request, signal) : wholeAnswerEvents(route, request, signal);
  yield* stops.length ? enforceStops(events, stops, request.n ?? 1) : events;
}

async function* upstreamEvents(route: ModelRoute, request: ChatRequest, signal: AbortSignal): AsyncGenerator<ChatStreamEvent> {
  const payload = await encodePayload(route, request, true);
  const bytes = await route.transport.invokeStream(payload, signal);
  const decoder = route.dialect.createStreamDecoder(route.model);
  for await (const data of dataPayloads(bytes)) yield* decoder.decode(data);
}

/** For containers that cannot stream: one invoke, its answer sent as a stream. */
async function* wholeAnswerEvents(route: ModelRoute, request: ChatRequest, signal: AbortSignal): AsyncGenerator<ChatStreamEvent> {
  const result = await completeChat(route, request, signal);
  for (const choice of result.choices) {
    const { role: _role, ...delta } = choice.message;
    yield { type: 'delta', index: choice.index, delta, finishReason: choice.finish_reason };
  }
  if (result.usage) yield { type: 'usage', usage: result.usage };
}

/** The client's stop sequences plus, for prompt-string containers, the template's end-of-turn markers. */
function stopSequences(route: ModelRoute, request: ChatRequest): string[] {
  const own = request.stop ?? route.model.defaults.stop;
  const stops = own === undefined || own === null ? [] : typeof own === 'string' ? [own] : [...(own as string[])];
  if (route.dialect.endOfTurn) stops.push(...route.dialect.endOfTurn(route.model));
  return stops.filter((s) => s.length > 0);
}
