/**
 * The one error type the gateway throws. Everything a client sees on failure is
 * `{"error":{"message","type","param","code"}}` with a fitting HTTP status (wire-facts §6).
 */
export interface GatewayErrorOptions {
  type?: string;
  param?: string | null;
  code?: string | null;
  /** Seconds; sent as `Retry-After`, which the official SDKs honour. */
  retryAfter?: number;
}

const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'invalid_request_error',
  405: 'invalid_request_error',
  413: 'invalid_request_error',
  415: 'invalid_request_error',
  429: 'rate_limit_error',
  500: 'server_error',
};

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  readonly type: string;
  readonly param: string | null;
  readonly code: string | null;
  readonly retryAfter: number | undefined;

  constructor(
    readonly status: number,
    message: string,
    options: GatewayErrorOptions = {},
  ) {
    super(message);
    this.type = options.type ?? TYPE_BY_STATUS[status] ?? 'api_error';
    this.param = options.param ?? null;
    this.code = options.code ?? null;
    this.retryAfter = options.retryAfter;
  }

  toJSON(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export const invalidRequest = (message: string, param: string | null = null, code: string | null = null) =>
  new GatewayError(400, message, { param, code });

export const modelNotFound = (model: string) =>
  new GatewayError(404, `The model '${model}' does not exist or you do not have access to it.`, {
    param: 'model',
    code: 'model_not_found',
  });

/** Anything thrown that is not a GatewayError is a bug: answer 500 without leaking its text or stack. */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new GatewayError(500, 'The gateway failed to process the request.', { code: 'internal_error' });
}

export function errorResponse(error: GatewayError, headers: Record<string, string> = {}): Response {
  const all: Record<string, string> = { 'content-type': 'application/json', ...headers };
  if (error.retryAfter !== undefined) all['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfter)));
  return new Response(JSON.stringify(error.toJSON()), { status: error.status, headers: all });
}
