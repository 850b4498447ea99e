import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate, type ZlibOptions } from 'node:zlib';
import { GatewayError, invalidRequest, quoted } from '../core/gateway-error.js';

type Decompress = (bytes: Uint8Array, options: ZlibOptions) => Promise<Buffer>;

const DECODERS: Record<string, { name: string; decompress: Decompress }> = {
  gzip: { name: 'gzip', decompress: promisify(gunzip) as Decompress },
  'x-gzip': { name: 'gzip', decompress: promisify(gunzip) as Decompress },
  deflate: { name: 'deflate', decompress: promisify(inflate) as Decompress },
  br: { name: 'Brotli', decompress: promisify(brotliDecompress) as Decompress },
};

/**
 * A body sent with `Content-Encoding`, decoded off the event loop (zlib's thread pool). The output is
 * capped at the body limit as it is produced, so a small bomb cannot inflate into gigabytes: what
 * counts against the limit is the decompressed size (docs/wire-facts.md §12). An encoding the gateway
 * does not decode is a 415.
 */
export async function decodeBody(bytes: Uint8Array, header: string, maxBytes: number, tooLarge: () => GatewayError): Promise<Uint8Array> {
  const codings = header
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  if (codings.length === 0) return bytes;
  const decoder = codings.length === 1 ? DECODERS[codings[0]!] : undefined;
  if (!decoder) {
    throw new GatewayError(415, `Unsupported content encoding: '${quoted(header)}'. Send the body as is, or compressed with gzip, deflate or br.`, {
      code: 'unsupported_content_encoding',
    });
  }
  try {
    return await decoder.decompress(bytes, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
    throw invalidRequest(`The request body is not valid ${decoder.name} data, as its Content-Encoding says it is.`, null, 'invalid_body_encoding');
  }
}
