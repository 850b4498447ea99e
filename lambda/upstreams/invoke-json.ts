import { GatewayError } from '../core/gateway-error.js';
import type { Transport } from './transport.js';

const utf8 = new TextDecoder();

/** One whole call, its answer parsed as JSON: a container that answers anything else is a 502. */
export async function invokeJson(transport: Transport, payload: string, signal: AbortSignal, model: string): Promise<unknown> {
  const bytes = await transport.invoke(payload, signal);
  try {
    return JSON.parse(utf8.decode(bytes));
  } catch (error) {
    throw new GatewayError(502, `Model '${model}' returned a body that is not JSON.`, { code: 'upstream_error', cause: error });
  }
}
