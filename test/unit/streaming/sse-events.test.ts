import { sseEvents } from '../../../lambda/streaming/sse-events.js';

/** The bytes of `text` split at every one of `cuts` (byte offsets), as a network delivers them. */
async function* splitAt(text: string, cuts: number[]): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    yield bytes.subarray(from, cut);
    from = cut;
  }
}

const collect = async (bytes: AsyncIterable<Uint8Array>) => {
  const out = [];
  for await (const event of sseEvents(bytes)) out.push(event);
  return out;
};

describe('sseEvents', () => {
  const stream = 'event: message_start\ndata: {"a":"é"}\n\n: keep-alive\n\nevent: ping\r\ndata: {}\r\n\r\ndata: one\ndata: two\nid: 7\n\n';
  const expected = [{ event: 'message_start', data: '{"a":"é"}' }, { event: 'ping', data: '{}' }, { data: 'one\ntwo' }];

  it('yields whole named events, skipping comments and joining data lines, with LF or CRLF', async () => {
    expect(await collect(splitAt(stream, []))).toEqual(expected);
  });

  it('gives the same events however the bytes are split (inside a line, inside a UTF-8 character)', async () => {
    const length = new TextEncoder().encode(stream).length;
    for (let cut = 1; cut < length; cut++) expect(await collect(splitAt(stream, [cut]))).toEqual(expected);
  });

  it('yields an event the stream ends without its blank line', async () => {
    expect(await collect(splitAt('event: message_stop\ndata: {"type":"message_stop"}', []))).toEqual([
      { event: 'message_stop', data: '{"type":"message_stop"}' },
    ]);
  });
});
