/**
 * Shape limits on a JSON body, checked on its raw bytes before `JSON.parse`: parsing itself is the
 * first costly work (V8 takes seconds to build a value nested three million levels deep;
 * docs/wire-facts.md §12), and the schema check, payload encoding and error messages all walk the
 * parsed value again, some of them recursively. One linear pass, with strings skipped by `indexOf`
 * (native), so a 6 MB image string costs about as much as copying it.
 *
 * It does not validate JSON: a malformed body either breaks no limit and fails `JSON.parse` next, or
 * breaks one and is refused for that. What it counts:
 * - depth: nested arrays and objects;
 * - array items: the elements of any one array;
 * - items: every array element and object member in the body (the parsed value's size).
 */
export interface JsonLimits {
  maxDepth: number;
  maxArrayItems: number;
  maxItems: number;
}

/** Generous for any OpenAI request (tool schemas nest a few levels, embeddings carry token-id arrays), tight for abuse. */
export const DEFAULT_JSON_LIMITS: JsonLimits = { maxDepth: 64, maxArrayItems: 100_000, maxItems: 500_000 };

export interface JsonLimitBreach {
  limit: 'depth' | 'array_items' | 'items';
  /** Where: the container that is one level too deep, the array that is too long, the value being read when the body grew too large. */
  path: (string | number)[];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/** The first limit the body breaks, or undefined. */
export function checkJsonLimits(bytes: Uint8Array, limits: JsonLimits = DEFAULT_JSON_LIMITS): JsonLimitBreach | undefined {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { isArray, commas, keyStart, keyEnd, expectKey } = scratchFor(limits.maxDepth + 2);
  let depth = 0;
  let items = 0;
  const where = (levels: number) => pathAt(buffer, levels, isArray, commas, keyStart, keyEnd);

  for (let i = 0; i < buffer.length; i++) {
    const byte = buffer[i];
    if (byte === QUOTE) {
      const end = closingQuote(buffer, i);
      if (depth > 0 && expectKey[depth]) {
        keyStart[depth] = i;
        keyEnd[depth] = end + 1;
        expectKey[depth] = 0;
      }
      i = end;
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (depth === limits.maxDepth) return { limit: 'depth', path: where(depth) };
      depth++;
      isArray[depth] = byte === OPEN_ARRAY ? 1 : 0;
      commas[depth] = 0;
      keyStart[depth] = -1;
      expectKey[depth] = byte === OPEN_OBJECT ? 1 : 0;
      if (++items > limits.maxItems) return { limit: 'items', path: where(depth - 1) };
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      if (depth > 0) depth--;
    } else if (byte === COMMA && depth > 0) {
      const count = ++commas[depth]!;
      if (isArray[depth]) {
        if (count >= limits.maxArrayItems) return { limit: 'array_items', path: where(depth - 1) };
      } else {
        expectKey[depth] = 1;
      }
      if (++items > limits.maxItems) return { limit: 'items', path: where(depth - 1) };
    }
  }
  return undefined;
}

/**
 * Per open container (level 1 is the top one): an array or an object, how many commas so far, and for
 * objects where the current member's key lies and whether the next string is a key. Allocated once and
 * reused: the check is synchronous, so no two bodies share them at once, and five typed arrays per
 * request cost more than the scan of a short chat request itself (measured: 10 µs of 11).
 */
let scratch: { isArray: Uint8Array; commas: Int32Array; keyStart: Int32Array; keyEnd: Int32Array; expectKey: Uint8Array } | undefined;

function scratchFor(size: number) {
  if (!scratch || scratch.isArray.length < size) {
    scratch = {
      isArray: new Uint8Array(size),
      commas: new Int32Array(size),
      keyStart: new Int32Array(size),
      keyEnd: new Int32Array(size),
      expectKey: new Uint8Array(size),
    };
  }
  return scratch;
}

/** The index of the quote that ends the string opening at `start` (or the last byte, if it never ends). */
function closingQuote(buffer: Buffer, start: number): number {
  let at = start + 1;
  for (;;) {
    const quote = buffer.indexOf(QUOTE, at);
    if (quote === -1) return buffer.length - 1;
    let backslashes = 0;
    for (let k = quote - 1; k > start && buffer[k] === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return quote;
    at = quote + 1;
  }
}

/** The path of the value open at `levels`: each array's current index, each object's current key. */
function pathAt(
  buffer: Buffer,
  levels: number,
  isArray: Uint8Array,
  commas: Int32Array,
  keyStart: Int32Array,
  keyEnd: Int32Array,
): (string | number)[] {
  const path: (string | number)[] = [];
  for (let level = 1; level <= levels; level++) {
    if (isArray[level]) path.push(commas[level]!);
    else if (keyStart[level]! >= 0) path.push(keyName(buffer.subarray(keyStart[level], keyEnd[level])));
  }
  return path;
}

/** A key as the client wrote it (escapes decoded); a very long one only by its start, for a readable `param`. */
function keyName(quoted: Buffer): string {
  if (quoted.length > MAX_KEY_BYTES) return `${quoted.subarray(1, MAX_KEY_BYTES).toString('utf8')}…`;
  const raw = quoted.toString('utf8');
  try {
    return String(JSON.parse(raw));
  } catch {
    return raw.slice(1, -1);
  }
}

const MAX_KEY_BYTES = 128;
