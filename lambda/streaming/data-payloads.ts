import { LineDecoder } from './line-decoder.js';

/**
 * The payloads of a container's stream, whichever framing it uses (docs/wire-facts.md §2):
 * SSE (`data: {...}` or TGI's `data:{...}`, `:` keep-alive comments, `data: [DONE]`) or
 * bare JSON lines (LMI). Each `data:` line is dispatched at once rather than at the blank line
 * that ends an SSE event: no container here splits one JSON value over several `data:` lines,
 * and waiting would add a PayloadPart's delay to every token.
 *
 * Synchronous, chunk by chunk, so the step that decodes the payloads runs in the same loop rather
 * than one async generator per step (each costs a stream's first event a few µs).
 *
 * After `[DONE]` the rest of the bytes (the end of the HTTP body, normally in the same packet) is
 * still read by the caller, not abandoned: a stream read to its end leaves its kept-alive connection
 * for the next call, where one left midway must be closed (measured: a new connection per streamed
 * request otherwise).
 */
export class DataPayloads {
  private readonly lines = new LineDecoder();
  /** `[DONE]` has come: what follows is the end of the HTTP body, read but not used. */
  done = false;

  /** The payloads completed by this chunk. */
  push(chunk: Uint8Array): string[] {
    return this.done ? [] : this.take(this.lines.push(chunk));
  }

  /** The last payload, when the stream ends without a newline. */
  flush(): string[] {
    return this.done ? [] : this.take(this.lines.flush());
  }

  private take(lines: string[]): string[] {
    const payloads: string[] = [];
    for (const line of lines) {
      const payload = payloadOf(line);
      if (payload === DONE) {
        this.done = true;
        break;
      }
      if (payload !== undefined) payloads.push(payload);
    }
    return payloads;
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
