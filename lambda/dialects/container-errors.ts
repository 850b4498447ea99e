import { GatewayError } from '../http/errors.js';

/**
 * Containers report errors in their own shapes (wire-facts §2):
 * TGI `{"error":"...","error_type":"validation"}`, vLLM `{"error":{"message","type","code"}}`,
 * older vLLM `{"object":"error","message","code"}`, LMI `{"code","message"}`.
 * Returns the message and the status the container meant, or undefined when `body` is no error.
 */
export function containerError(body: unknown): { message: string; status?: number; kind?: string } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.error === 'string') {
    const kind = typeof b.error_type === 'string' ? b.error_type : undefined;
    return { message: b.error, kind, status: kind ? TGI_STATUS[kind] : undefined };
  }
  if (typeof b.error === 'object' && b.error !== null) {
    const e = b.error as Record<string, unknown>;
    if (typeof e.message === 'string') return { message: e.message, status: statusOf(e.code), kind: typeof e.type === 'string' ? e.type : undefined };
  }
  if (b.object === 'error' && typeof b.message === 'string') return { message: b.message, status: statusOf(b.code) };
  return undefined;
}

const TGI_STATUS: Record<string, number> = { validation: 422, overloaded: 429, generation: 424, incomplete_generation: 500 };

function statusOf(code: unknown): number | undefined {
  const n = typeof code === 'number' ? code : typeof code === 'string' ? Number(code) : NaN;
  return Number.isInteger(n) && n >= 400 && n < 600 ? n : undefined;
}

/**
 * How a container's own error reaches the client: a 4xx from the container means the request was
 * unacceptable to the model (a prompt too long, a bad parameter) and is the client's to fix (400);
 * overload is a 429; anything else is the upstream's failure (502).
 */
export function fromContainerStatus(status: number | undefined, message: string, model: string): GatewayError {
  if (status === 429) return new GatewayError(429, `Model '${model}' is overloaded: ${message}`, { code: 'model_overloaded', retryAfter: 1 });
  if (status !== undefined && status >= 400 && status < 500) {
    return new GatewayError(400, `Model '${model}' rejected the request: ${message}`, { code: 'model_rejected_request' });
  }
  return new GatewayError(502, `Model '${model}' failed: ${message}`, { code: 'upstream_error' });
}
