/**
 * The one error type the gateway throws. Everything a client sees on failure is
 * `{"error":{"message","type","param","code"}}` with a fitting HTTP status (docs/wire-facts.md §6).
 * `cause` is for the logs only: what went wrong underneath (an SDK error, a socket error), never sent.
 */
export interface GatewayErrorOptions {
  type?: string;
  param?: string | null;
  code?: string | null;
  /** Seconds; sent as `Retry-After`, which the official SDKs honour. */
  retryAfter?: number;
  /** Extra response headers (`x-should-retry: false` where retrying cannot help). */
  headers?: Record<string, string>;
  cause?: unknown;
  /** The upstream said the prompt does not fit its context window (for context-window fallbacks; not sent). */
  promptTooLong?: boolean;
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

/** No error answer carries more than this, whatever an upstream or a client put into it. */
const MAX_MESSAGE = 2000;
const MAX_PARAM = 256;

export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  readonly type: string;
  readonly param: string | null;
  readonly code: string | null;
  readonly retryAfter: number | undefined;
  readonly promptTooLong: boolean;
  readonly headers: Record<string, string> | undefined;

  constructor(
    readonly status: number,
    message: string,
    options: GatewayErrorOptions = {},
  ) {
    // A backstop: every client value in a message is meant to be cut with `quoted()` already.
    super(quoted(message, MAX_MESSAGE), options.cause === undefined ? undefined : { cause: options.cause });
    this.type = options.type ?? TYPE_BY_STATUS[status] ?? 'api_error';
    this.param = options.param == null ? null : quoted(options.param, MAX_PARAM);
    this.code = options.code ?? null;
    this.retryAfter = options.retryAfter;
    this.promptTooLong = options.promptTooLong ?? false;
    this.headers = options.headers;
  }

  toJSON(): ErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export const invalidRequest = (message: string, param: string | null = null, code: string | null = null) =>
  new GatewayError(400, message, { param, code });

export const modelNotFound = (model: string, closest: readonly string[] = []) =>
  new GatewayError(
    404,
    `The model '${quoted(model)}' does not exist or you do not have access to it.${closest.length ? ` Did you mean ${closest.map((n) => `'${n}'`).join(', ')}?` : ''}`,
    { param: 'model', code: 'model_not_found' },
  );

/** Anything thrown that is not a GatewayError is a bug: answer 500 without leaking its text or stack. */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new GatewayError(500, 'The gateway failed to process the request.', { code: 'internal_error', cause: error });
}

/** Client-supplied text inside a message, cut short: an error must never echo megabytes back. */
export function quoted(value: string, max = 64): string {
  return value.length <= max ? value : `${value.slice(0, max)}…`;
}

/**
 * What caused an error, for a log line: each cause's name and message, outermost first
 * (`GatewayError: ... <- ThrottlingException: Rate exceeded`). Never includes stacks of client input.
 */
export function describeCause(error: unknown): string | undefined {
  const parts: string[] = [];
  let cause = error instanceof Error ? error.cause : undefined;
  for (let depth = 0; cause !== undefined && cause !== null && depth < 4; depth++) {
    if (cause instanceof Error) {
      const code = (cause as { code?: unknown }).code;
      parts.push(`${cause.name}${typeof code === 'string' ? ` (${code})` : ''}: ${cause.message.slice(0, 300)}`);
      cause = cause.cause;
    } else {
      parts.push(String(cause).slice(0, 300));
      break;
    }
  }
  return parts.length ? parts.join(' <- ') : undefined;
}
