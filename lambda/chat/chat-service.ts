import { GatewayError, invalidRequest } from '../http/errors.js';
import type { ChatRequest } from '../openai/chat-request.js';
import type { ChatResult, ChatStreamEvent } from '../openai/chat-types.js';
import { dataPayloads } from '../streaming/data-payloads.js';
import type { ModelRoute } from '../gateway.js';

const utf8 = new TextDecoder();

/** Checks what the dialect cannot fix: content the model cannot take. */
export function assertModelAccepts(route: ModelRoute, request: ChatRequest): void {
  if (route.model.vision) return;
  request.messages.forEach((message, m) => {
    if (!Array.isArray(message.content)) return;
    message.content.forEach((part, p) => {
      if (part.type === 'image_url') {
        throw invalidRequest(`Model '${route.model.name}' does not accept images.`, `messages[${m}].content[${p}]`, 'image_not_supported');
      }
    });
  });
}

export async function completeChat(route: ModelRoute, request: ChatRequest, signal: AbortSignal): Promise<ChatResult> {
  const payload = JSON.stringify(route.dialect.encodeRequest(request, route.model, false));
  const bytes = await route.transport.invoke(payload, signal);
  let body: unknown;
  try {
    body = JSON.parse(utf8.decode(bytes));
  } catch {
    throw new GatewayError(502, `Model '${route.model.name}' returned a body that is not JSON.`, { code: 'upstream_error' });
  }
  return route.dialect.decodeResponse(body, route.model);
}

/** Normalised events of one streamed answer. Errors before the first event still set the HTTP status. */
export async function* streamChat(route: ModelRoute, request: ChatRequest, signal: AbortSignal): AsyncGenerator<ChatStreamEvent> {
  const payload = JSON.stringify(route.dialect.encodeRequest(request, route.model, true));
  const bytes = await route.transport.invokeStream(payload, signal);
  const decoder = route.dialect.createStreamDecoder(route.model);
  for await (const data of dataPayloads(bytes)) yield* decoder.decode(data);
}
