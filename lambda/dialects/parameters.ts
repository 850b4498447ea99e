import type { ModelConfig } from '../config/config.js';
import { invalidRequest } from '../core/gateway-error.js';
import { log } from '../core/log.js';
import type { ChatRequest } from '../openai/chat-request.js';

/** Request fields that shape no generation: what a container makes of them cannot differ, so none is refused. */
const INFORMATIONAL = new Set([
  'model',
  'messages',
  'stream',
  'stream_options',
  'user',
  'metadata',
  'store',
  'service_tier',
  'prompt_cache_key',
  'safety_identifier',
]);

/**
 * The request without what the container cannot honour. A set field outside `honoured` is a 400
 * naming it (a parameter silently ignored changes the answer behind the client's back), unless the
 * model is configured to drop such parameters (LiteLLM's `drop_params`), which is then logged.
 */
export function honouredOnly(request: ChatRequest, honoured: ReadonlySet<string>, model: ModelConfig, container: string): ChatRequest {
  const dropped: string[] = [];
  for (const key in request) {
    const value = (request as Record<string, unknown>)[key];
    if (value === null || value === undefined || INFORMATIONAL.has(key) || honoured.has(key)) continue;
    if (!model.dropParams) {
      throw invalidRequest(
        `Model '${model.name}' (${container} container) does not support '${key}'. Remove it, or set drop_params: true on the model to have such parameters dropped.`,
        key,
        'unsupported_parameter',
      );
    }
    dropped.push(key);
  }
  if (dropped.length === 0) return request;
  log.debug('dropped parameters the container cannot honour', { model: model.name, dropped });
  const copy: Record<string, unknown> = { ...request };
  for (const key of dropped) delete copy[key];
  return copy as ChatRequest;
}
