import { LineDecoder } from './line-decoder.js';

/** One server-sent event: its `event:` name (absent when the event has none) and its `data:` lines joined. */
export interface SseEvent {
  event?: string;
  data: string;
}

/**
 * Whole server-sent events from a byte stream split anywhere, for APIs whose events are named
 * (Anthropic's): an event ends at a blank line; `:` comments and `id:`/`retry:` fields are dropped;
 * several `data:` lines join with newlines, as the SSE standard says. An event still open when the
 * bytes end is yielded if it has data.
 */
export async function* sseEvents(bytes: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const lines = new LineDecoder();
  let event: string | undefined;
  let data: string[] = [];
  const take = (): SseEvent | undefined => {
    const done = data.length ? { ...(event !== undefined && { event }), data: data.join('\n') } : undefined;
    event = undefined;
    data = [];
    return done;
  };
  const read = (line: string): SseEvent | undefined => {
    if (line.length === 0) return take();
    if (line.charCodeAt(0) === 0x3a /* ':' comment */) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 0x20) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    return undefined;
  };
  for await (const chunk of bytes) {
    for (const line of lines.push(chunk)) {
      const done = read(line);
      if (done) yield done;
    }
  }
  for (const line of lines.flush()) {
    const done = read(line);
    if (done) yield done;
  }
  const last = take();
  if (last) yield last;
}
