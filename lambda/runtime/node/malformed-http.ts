import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { GatewayError } from '../../core/gateway-error.js';

/**
 * Node's `clientError` hook: a request its HTTP parser refuses (NUL or a bare CR/LF in a header, a
 * duplicate or negative Content-Length, Content-Length with Transfer-Encoding, headers over Node's
 * 16 KB) never reaches the app, and Node's own answer is a bare status line with no body. This answers
 * with the same statuses Node picks (docs/wire-facts.md §12) and OpenAI's error shape, then closes the
 * connection: after a parse error the rest of the stream cannot be trusted.
 *
 * A Function URL parses HTTP itself and never hands Lambda a malformed request, so this is the local
 * server's only.
 */
export function answerMalformedRequest(error: NodeJS.ErrnoException & { reason?: string }, socket: Duplex): void {
  // As Node's default handler: no answer once a response has begun on this connection, or when it is gone.
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const answer = errorFor(error);
  const body = JSON.stringify(answer.toJSON());
  const head = [
    `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy());
}

const invalid = (status: number, message: string, code: string) => new GatewayError(status, message, { type: 'invalid_request_error', code });

/** Node's parser errors by code (llhttp's `HPE_*`), as a client should read them. */
function errorFor(error: NodeJS.ErrnoException & { reason?: string }): GatewayError {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return invalid(431, 'The request headers are larger than the server accepts (16 KB in all).', 'request_header_fields_too_large');
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return invalid(413, 'The chunk extensions of the request body are larger than the server accepts.', 'request_too_large');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return invalid(408, 'The request was not received in time.', 'request_timeout');
    default:
      // llhttp's reason is one of its own fixed phrases ("Invalid header value char", "Duplicate
      // Content-Length"), never bytes of the request.
      return invalid(400, `The request is not valid HTTP: ${(error.reason ?? 'unparsable request').slice(0, 120)}.`, 'malformed_http');
  }
}
