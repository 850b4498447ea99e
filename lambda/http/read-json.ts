import { GatewayError, invalidRequest } from '../core/gateway-error.js';

/**
 * The request body as JSON, within the size limit. The limit is checked on Content-Length first and
 * again on the bytes read, since chunked bodies have no length.
 */
export async function readJson(request: Request, maxBytes: number): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const bytes = await request.arrayBuffer();
  if (bytes.byteLength > maxBytes) throw tooLarge(maxBytes);
  if (bytes.byteLength === 0) throw invalidRequest('The request body is empty; send a JSON object.');
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw invalidRequest('We could not parse the JSON body of your request.', null, 'invalid_json');
  }
}

const tooLarge = (maxBytes: number) =>
  new GatewayError(413, `The request body is larger than the gateway's limit of ${maxBytes} bytes.`, { code: 'request_too_large' });
