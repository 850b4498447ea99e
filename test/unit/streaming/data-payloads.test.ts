import { DataPayloads } from '../../../lambda/streaming/data-payloads.js';
import { LineDecoder } from '../../../lambda/streaming/line-decoder.js';

const utf8 = new TextEncoder();

async function payloadsOf(parts: Uint8Array[]): Promise<string[]> {
  const payloads = new DataPayloads();
  return [...parts.flatMap((part) => payloads.push(part)), ...payloads.flush()];
}

/** Every way of cutting `bytes` in two, plus one-byte parts. */
function splits(bytes: Uint8Array): Uint8Array[][] {
  const all: Uint8Array[][] = [];
  for (let i = 0; i <= bytes.length; i++) all.push([bytes.subarray(0, i), bytes.subarray(i)]);
  all.push(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)));
  return all;
}

describe('stream framing', () => {
  const sse =
    ': keep-alive\n\n' +
    'data:{"token":{"text":"日本"}}\n\n' + // TGI: no space after the colon
    'data: {"choices":[{"delta":{"content":"你好🙂"}}]}\r\n\r\n' + // CRLF line ends
    'event: message\nid: 7\n' +
    'data: {"choices":[{"delta":{"content":"é"}}]}\n\n' +
    'data: [DONE]\n\n' +
    'data: {"after":"done is ignored"}\n\n';
  const expected = ['{"token":{"text":"日本"}}', '{"choices":[{"delta":{"content":"你好🙂"}}]}', '{"choices":[{"delta":{"content":"é"}}]}'];

  it('yields the same payloads however the bytes are split, even inside a UTF-8 character', async () => {
    const bytes = utf8.encode(sse);
    for (const parts of splits(bytes)) {
      expect(await payloadsOf(parts)).toEqual(expected);
    }
  });

  it('reads bare JSON lines (LMI) and a last line without a newline', async () => {
    const lines = '{"token":{"text":"a"}}\n\n{"token":{"text":"ü"}}\n{"generated_text":"aü"}';
    for (const parts of splits(utf8.encode(lines))) {
      expect(await payloadsOf(parts)).toEqual(['{"token":{"text":"a"}}', '{"token":{"text":"ü"}}', '{"generated_text":"aü"}']);
    }
  });

  it('keeps a partial multi-byte character until its last byte arrives', () => {
    const decoder = new LineDecoder();
    const bytes = utf8.encode('寿司\n');
    expect(decoder.push(bytes.subarray(0, 2))).toEqual([]);
    expect(decoder.push(bytes.subarray(2, 4))).toEqual([]);
    expect(decoder.push(bytes.subarray(4))).toEqual(['寿司']);
    expect(decoder.flush()).toEqual([]);
  });
});
