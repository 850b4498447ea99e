import type { GatewayError } from '../core/gateway-error.js';
import { invalidRequest } from '../core/gateway-error.js';
import type { RelayedWhole } from '../models/relay-model.js';
import type { RelayedEvent, RelayRequest } from '../upstreams/index.js';
import { anthropicErrorBody } from './errors.js';
import { sseEvent } from './message-sse.js';

/** The headers of Anthropic's API a relayed request keeps: the API version and the beta features asked for. */
const RELAYED_HEADERS = ['anthropic-version', 'anthropic-beta'] as const;

/**
 * A Messages request for a model on Anthropic's own API, checked only as far as the gateway must
 * (the model it names, the fields every request needs); every other field is Anthropic's to judge,
 * so what the gateway cannot honour elsewhere (`container`, `mcp_servers`, documents) works here.
 */
export function relayedRequest(body: Record<string, unknown>, header: (name: string) => string | undefined): RelayRequest {
  if (!Array.isArray(body.messages)) throw invalidRequest('messages: Field required', 'messages');
  if (typeof body.max_tokens !== 'number' || !Number.isInteger(body.max_tokens) || body.max_tokens < 1) {
    throw invalidRequest('max_tokens: Field required (a positive integer)', 'max_tokens');
  }
  const headers: Record<string, string> = {};
  for (const name of RELAYED_HEADERS) {
    const value = header(name);
    if (value !== undefined) headers[name] = value;
  }
  return { body, headers };
}

/** A relayed whole answer: Anthropic's message as it came. */
export const relayedBody = (whole: RelayedWhole): unknown => whole.body;

/** A relayed stream: Anthropic's events as they came; after a failure of the gateway's own midway, Anthropic's `error` event. */
export function relayedStreamEncoder(requestId: string) {
  return {
    encode: (event: RelayedEvent): string => (event.type === 'frame' ? event.text : ''),
    end: (): string => '',
    fail: (error: GatewayError): string => sseEvent(anthropicErrorBody(error, requestId)),
  };
}
