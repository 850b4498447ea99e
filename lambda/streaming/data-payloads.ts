import { LineDecoder } from './line-decoder.js';

/**
 * The payloads of a container's stream, whichever framing it uses (docs/wire-facts.md §2):
 * SSE (`data: {...}` or TGI's `data:{...}`, `:` keep-alive comments, `data: [DONE]`) or
 * bare JSON lines (LMI). Each `data:` line is dispatched at once rather than at the blank line
 * that ends an SSE event: no container here splits one JSON value over several `data:` lines,
 * and waiting would add a PayloadPart's delay to every token.
 *
 * After `[DONE]` the rest of the bytes (the end of the HTTP body, normally in the same packet) is
 * read, not abandoned: a stream read to its end leaves its kept-alive connection for the next call,
 * where one left midway must be closed (measured: a new connection per streamed request otherwise).
 */
export async function* dataPayloads(bytes: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const lines = new LineDecoder();
  let done = false;
  for await (const chunk of bytes) {
    if (done) continue;
    for (const line of lines.push(chunk)) {
      const payload = payloadOf(line);
      if (payload === DONE) {
        done = true;
        break;
      }
      if (payload !== undefined) yield payload;
    }
  }
  if (done) return;
  for (const line of lines.flush()) {
    const payload = payloadOf(line);
    if (payload === DONE) return;
    if (payload !== undefined) yield payload;
  }
}

const DONE = Symbol('done');

function payloadOf(line: string): string | typeof DONE | undefined {
  if (line.length === 0 || line.charCodeAt(0) === 0x3a /* ':' comment */) return undefined;
  if (line.startsWith('data:')) {
    const value = line.charCodeAt(5) === 0x20 ? line.slice(6) : line.slice(5);
    const trimmed = value.trim();
    if (trimmed === '[DONE]') return DONE;
    return trimmed.length > 0 ? value : undefined;
  }
  // Other SSE fields carry nothing the gateway needs.
  if (line.startsWith('event:') || line.startsWith('id:') || line.startsWith('retry:')) return undefined;
  return line.trim().length > 0 ? line : undefined;
}
