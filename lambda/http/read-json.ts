import { GatewayError, invalidRequest, quoted } from '../core/gateway-error.js';
import { formatPath } from '../core/issue-path.js';
import { decodeBody } from './body-encoding.js';
import { checkJsonLimits, DEFAULT_JSON_LIMITS, type JsonLimitBreach, type JsonLimits } from './json-limits.js';

const utf8 = new TextDecoder();

/**
 * The request body as JSON, refused cheaply before any recursive work when it is not what it should
 * be: a content type other than JSON (as OpenAI's API refuses it), an encoding the gateway does not
 * decode, more bytes than the limit (on Content-Length first, then while reading, since chunked bodies
 * have no length; decompressed bytes count too), or a shape past the limits (depth, array length,
 * size), all before `JSON.parse`. A client that leaves mid-upload is a 499, not a failure of ours.
 */
export async function readJson(request: Request, maxBytes: number, limits: JsonLimits = DEFAULT_JSON_LIMITS): Promise<unknown> {
  checkContentType(request.headers.get('content-type'));
  const encoding = request.headers.get('content-encoding');
  const length = request.headers.get('content-length');
  const declared = length === null || length.trim() === '' ? Number.NaN : Number(length);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  let bytes = await readBody(request, Number.isInteger(declared) && declared >= 0, maxBytes);
  if (encoding) bytes = await decodeBody(bytes, encoding, maxBytes, () => tooLarge(maxBytes));
  if (bytes.byteLength === 0) throw invalidRequest('The request body is empty; send a JSON object.');
  const breach = checkJsonLimits(bytes, limits);
  if (breach) throw limitError(breach, limits);
  try {
    return JSON.parse(utf8.decode(bytes));
  } catch {
    throw invalidRequest('We could not parse the JSON body of your request.', null, 'invalid_json');
  }
}

/**
 * OpenAI's API takes `application/json` bodies only and answers anything else with a 400
 * `unsupported_content_type` (docs/wire-facts.md §12). Parameters (`; charset=utf-8`) and
 * `application/*+json` are fine, and so is no type at all (a hand-written request).
 */
function checkContentType(value: string | null): void {
  if (value === null) return;
  const type = value.split(';', 1)[0]!.trim().toLowerCase();
  if (type === '' || type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type)) return;
  throw new GatewayError(
    400,
    `Unsupported content type: '${quoted(value)}'. This endpoint takes JSON: send the header 'Content-Type: application/json'.`,
    { code: 'unsupported_content_type' },
  );
}

/**
 * The body's bytes, read no further than the limit; a body that breaks off is the client leaving.
 * With a Content-Length (checked against the limit already) the HTTP layer delivers exactly that many
 * bytes, and `arrayBuffer()` takes @hono/node-server's fast path (no web stream); a chunked body is
 * read piece by piece and refused as soon as it passes the limit.
 */
async function readBody(request: Request, lengthKnown: boolean, maxBytes: number): Promise<Uint8Array> {
  if (lengthKnown) {
    try {
      return new Uint8Array(await request.arrayBuffer());
    } catch (error) {
      throw clientLeft(error);
    }
  }
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        reader.cancel().catch(() => undefined);
        throw tooLarge(maxBytes);
      }
      chunks.push(value);
    }
  } catch (error) {
    throw error instanceof GatewayError ? error : clientLeft(error);
  }
  if (chunks.length === 1) return chunks[0]!;
  return Buffer.concat(chunks, size);
}

const clientLeft = (cause: unknown) =>
  new GatewayError(499, 'The client closed the connection before its request body was complete.', { code: 'client_closed_request', cause });

const tooLarge = (maxBytes: number) =>
  new GatewayError(413, `The request body is larger than the gateway's limit of ${maxBytes} bytes.`, { code: 'request_too_large' });

/** Path segments named in a `param`: enough to find the field, not a thousand `[0]`s. */
const PARAM_SEGMENTS = 12;

function limitError(breach: JsonLimitBreach, limits: JsonLimits): GatewayError {
  const path = breach.path.length > PARAM_SEGMENTS ? `${formatPath(breach.path.slice(0, PARAM_SEGMENTS))}…` : formatPath(breach.path);
  const param = path || null;
  const at = param ? ` (at '${param}')` : '';
  switch (breach.limit) {
    case 'depth':
      return invalidRequest(`The request body nests arrays and objects more than ${limits.maxDepth} levels deep${at}.`, param, 'nesting_too_deep');
    case 'array_items':
      return invalidRequest(
        `Invalid '${param ?? 'body'}': array too long. Expected an array with at most ${limits.maxArrayItems} items.`,
        param,
        'array_too_long',
      );
    case 'items':
      return invalidRequest(`The request body holds more than ${limits.maxItems} values${at}.`, param, 'too_many_values');
  }
}
