const LF = 0x0a;
const CR = 0x0d;

/**
 * Splits a byte stream into text lines. SageMaker's PayloadPart boundaries are arbitrary (docs/wire-facts.md §1):
 * a part may end inside a line or inside a multi-byte UTF-8 character, so bytes are buffered and only
 * whole lines are decoded. LF never occurs inside a UTF-8 sequence, which makes the split safe.
 */
export class LineDecoder {
  private pending: Uint8Array | undefined;
  private readonly utf8 = new TextDecoder();

  push(chunk: Uint8Array): string[] {
    let buffer = chunk;
    if (this.pending) {
      buffer = new Uint8Array(this.pending.length + chunk.length);
      buffer.set(this.pending);
      buffer.set(chunk, this.pending.length);
      this.pending = undefined;
    }
    const lines: string[] = [];
    let start = 0;
    for (let lf = buffer.indexOf(LF); lf !== -1; lf = buffer.indexOf(LF, start)) {
      const end = lf > start && buffer[lf - 1] === CR ? lf - 1 : lf;
      lines.push(this.utf8.decode(buffer.subarray(start, end)));
      start = lf + 1;
    }
    // Copy the tail: the SDK may reuse the chunk's memory.
    if (start < buffer.length) this.pending = buffer.slice(start);
    return lines;
  }

  /** The last line, when the stream ends without a newline. */
  flush(): string[] {
    const rest = this.pending;
    this.pending = undefined;
    return rest && rest.length > 0 ? [this.utf8.decode(rest)] : [];
  }
}
