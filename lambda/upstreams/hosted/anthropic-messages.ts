import type { OpenAIModel } from '../../config/config.js';
import { GatewayError } from '../../core/gateway-error.js';
import { log } from '../../core/log.js';
import type { AnswerUsage, ReportedUsage } from '../../openai/chat-types.js';
import { completeUsage } from '../../openai/usage-estimate.js';
import { sseEvents } from '../../streaming/sse-events.js';
import { OpenAIHttpTransport } from '../openai-http/transport.js';
import type { Relay, RelayedEvent, RelayedStream, RelayRequest } from '../relay.js';

/** The version every Messages API request must name; a client's own is sent instead when it gives one. */
const ANTHROPIC_VERSION = '2023-06-01';

/**
 * Anthropic's own Messages API (`POST {base}/messages`, `x-api-key`), for `/v1/messages` requests to a
 * hosted Anthropic model: relayed as the client sent them (its `anthropic-version` and
 * `anthropic-beta` too), the answer relayed as Anthropic sent it, so every feature Anthropic has
 * (prompt caching, server tools, documents, citations) works, and nothing is translated twice
 * (docs/wire-facts.md §13). The chat routes keep reaching the same model through Anthropic's
 * OpenAI-compatible API.
 */
export function anthropicMessages(model: OpenAIModel, upstreamModel: string | undefined): Relay {
  const transport = OpenAIHttpTransport.forApi(
    model,
    'messages',
    (key) => ({ 'x-api-key': key }),
    (status, message, headers) => anthropicStatusError(model.name, status, message, headers),
  );
  const bodyOf = (request: RelayRequest, stream: boolean) =>
    JSON.stringify({ ...request.body, ...(upstreamModel && { model: upstreamModel }), stream });
  const headersOf = (request: RelayRequest) => ({ 'anthropic-version': ANTHROPIC_VERSION, ...request.headers });
  return {
    async complete(request, signal) {
      const bytes = await transport.invoke(bodyOf(request, false), signal, headersOf(request));
      let body: { usage?: AnthropicUsage };
      try {
        body = JSON.parse(Buffer.from(bytes).toString('utf8'));
      } catch {
        throw new GatewayError(502, `Anthropic's answer for model '${model.name}' was not JSON.`, { code: 'upstream_error' });
      }
      return { body, ...usageOf(body.usage, undefined, 0) };
    },
    async stream(request, signal) {
      const bytes = await transport.invokeStream(bodyOf(request, true), signal, headersOf(request));
      return relayedStream(model.name, bytes);
    },
  };
}

/** Anthropic's usage object: input tokens exclude the cached ones, which it counts apart. */
interface AnthropicUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/**
 * Anthropic's usage as the gateway meters it: every prompt token it read (cached ones included, at
 * the deployment's input price: cache discounts are not applied, so cost errs high), and its output
 * tokens; estimated from the characters seen while Anthropic has not said.
 */
function usageOf(usage: AnthropicUsage | undefined, input: number | undefined, outputChars: number): AnswerUsage {
  const reported: ReportedUsage = {};
  const prompt =
    usage?.input_tokens === undefined ? input : usage.input_tokens + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0);
  if (prompt !== undefined) reported.prompt_tokens = prompt;
  if (usage?.output_tokens !== undefined) reported.completion_tokens = usage.output_tokens;
  return completeUsage(0, reported, outputChars);
}

/**
 * Anthropic's stream, event by event as it came (reframed, the payload untouched), read only where
 * the usage is: `message_start` (the input count) and `message_delta` (the cumulative output count).
 * An `error` event is relayed too; the stream ends after it, as Anthropic's does.
 */
function relayedStream(name: string, bytes: AsyncIterable<Uint8Array>): RelayedStream {
  let input: number | undefined;
  let usage: AnthropicUsage | undefined;
  let deltaChars = 0;
  const events = sseEvents(bytes);
  const usageSoFar = () => usageOf(usage, input, deltaChars);
  async function* relay(): AsyncGenerator<RelayedEvent> {
    for await (const { event, data } of events) {
      if (event === 'message_start' || event === 'message_delta') {
        const payload = parse(data);
        const reported: AnthropicUsage | undefined = event === 'message_start' ? payload?.message?.usage : payload?.usage;
        if (event === 'message_start' && reported?.input_tokens !== undefined) input = usageOf(reported, undefined, 0).usage.prompt_tokens;
        if (reported) usage = merged(usage, reported);
      } else if (event === 'content_block_delta') deltaChars += data.length;
      else if (event === 'error') log.warn('upstream stream failed', { model: name, error: data.slice(0, 500) });
      yield { type: 'frame', text: event === undefined ? `data: ${data}\n\n` : `event: ${event}\ndata: ${data}\n\n` };
    }
    yield { type: 'usage', ...usageSoFar() };
  }
  return { events: relay(), usageSoFar };
}

/** Later counts replace earlier ones; a count sent as null leaves the earlier one. */
function merged(usage: AnthropicUsage | undefined, update: AnthropicUsage): AnthropicUsage {
  const next: AnthropicUsage = { ...usage };
  for (const [field, value] of Object.entries(update)) if (typeof value === 'number') next[field as keyof AnthropicUsage] = value;
  return next;
}

function parse(data: string) {
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}

/** Anthropic's own statuses: 529 is its capacity, not the caller's fault; 413 stays a 413. */
function anthropicStatusError(name: string, status: number, message: string, headers: Record<string, unknown>): GatewayError | undefined {
  if (status === 529) {
    const retryAfter = Number(headers['retry-after']) || 1;
    return new GatewayError(429, `Anthropic is overloaded (model '${name}'): ${message}`, { code: 'model_overloaded', retryAfter });
  }
  if (status === 413)
    return new GatewayError(413, `Anthropic refused the request for model '${name}' as too large: ${message}`, { code: 'request_too_large' });
  return undefined;
}
