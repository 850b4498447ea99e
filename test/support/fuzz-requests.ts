import { gzipSync } from 'node:zlib';

/**
 * The fuzz mix: mutated chat and embeddings requests (structure, types, sizes, bytes, headers, URLs)
 * and raw HTTP that fetch would never send, from a seeded generator, so a run reproduces. The fuzz
 * test checks every answer; the benchmark's memory row sends the same mix.
 */

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const chance = (p: number) => next() < p;
  /** Usually one of `common`, now and then one of `rare` (the expensive sizes). */
  const size = (common: readonly number[], rare: readonly number[]) => (chance(0.08) ? pick(rare) : pick(common));
  return { next, int, pick, chance, size };
}
export type Rng = ReturnType<typeof prng>;

/** JSON text spliced into a body as is (see `serialise`). */
const rawParts: string[] = [];
const rawJson = (text: string) => `\u0001raw${rawParts.push(text) - 1}\u0001`;
const serialise = (value: unknown) => (JSON.stringify(value) ?? 'null').replace(/"\\u0001raw(\d+)\\u0001"/g, (_, i: string) => rawParts[Number(i)]!);

const SCALARS: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e308,
  -1e-308,
  2 ** 53 + 1,
  '',
  'x',
  '\u0000',
  '\ud800',
  'é',
  '😀',
  '__proto__',
  'user',
  'text',
  'image_url',
];

function randomValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 2 ? 3 : 9)) {
    case 0:
    case 1:
      return rng.pick(SCALARS);
    case 2:
      return rng.pick(['a', '\u0000\u001f', '"\\', '😀']).repeat(rng.size([1, 100, 10_000], [300_000]));
    case 3: {
      // Written as text: the test's own JSON.stringify would overflow its stack on the deeper ones.
      const levels = rng.size([10, 63, 64, 65, 200], [5000, 50_000, 1_000_000]);
      const [open, close] = rng.chance(0.5) ? ['[', ']'] : ['{"a":', '}'];
      return rawJson(`${open.repeat(levels)}${JSON.stringify(rng.pick(SCALARS))}${close.repeat(levels)}`);
    }
    case 4:
      return Array.from({ length: rng.size([0, 1, 3, 1000], [99_999, 100_001]) }, () => (rng.chance(0.5) ? 0 : {}));
    case 5:
      return Object.fromEntries(Array.from({ length: rng.size([1, 100], [5000]) }, (_, i) => [`k${i}`, i]));
    case 6:
      return [randomValue(rng, depth + 1), randomValue(rng, depth + 1)];
    case 7:
      return { type: rng.pick(['text', 'image_url', 'input_audio', 'function', '']), text: randomValue(rng, depth + 1) };
    default:
      return { role: rng.pick(['user', 'assistant', 'system', 'tool', 'developer', 'function', 'robot']), content: randomValue(rng, depth + 1) };
  }
}

const seeds = (rng: Rng) => [
  {
    model: 'chat',
    messages: [
      { role: 'system', content: 's' },
      { role: 'user', content: [{ type: 'text', text: 'hi' }] },
    ],
    max_tokens: 4,
  },
  {
    model: 'chat',
    stream: true,
    stream_options: { include_usage: true },
    messages: [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c', content: 'r' },
    ],
    tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: { type: 'string' } } } } }],
    temperature: 0.2,
  },
  { model: 'embed', input: ['a', 'b'], encoding_format: rng.pick(['float', 'base64']) },
  { model: 'embed', input: [[1, 2, 3]] },
];

/** Replaces, removes or adds one value somewhere in the request. */
function mutate(root: Record<string, unknown>, rng: Rng): void {
  let parent: Record<string, unknown> | unknown[] = root;
  let key: string | number = rng.pick(Object.keys(root));
  for (let depth = 0; depth < 6 && rng.chance(0.6); depth++) {
    const child = (parent as Record<string | number, unknown>)[key];
    if (typeof child !== 'object' || child === null) break;
    const keys: (string | number)[] = Array.isArray(child) ? child.map((_, i) => i) : Object.keys(child);
    if (keys.length === 0) break;
    parent = child as Record<string, unknown>;
    key = rng.pick(keys);
  }
  const target = parent as Record<string | number, unknown>;
  switch (rng.int(4)) {
    case 0:
      delete target[key];
      break;
    case 1: {
      // An own property even for `__proto__` (assignment would set the prototype), so that it is sent.
      const name = rng.pick(['__proto__', 'constructor', 'prototype', '', 'x'.repeat(2000), 'stream', 'n', 'model', 'input']);
      const into = Array.isArray(target) ? root : target;
      Object.defineProperty(into, name, { value: randomValue(rng), enumerable: true, writable: true, configurable: true });
      break;
    }
    default:
      target[key] = randomValue(rng);
  }
}

/** Byte-level damage to the serialised body. */
function damage(body: Buffer, rng: Rng): Buffer {
  const at = rng.int(body.length + 1);
  switch (rng.int(6)) {
    case 0:
      return body.subarray(0, at);
    case 1:
      return Buffer.concat([body.subarray(0, at), Buffer.from([rng.pick([0x00, 0xff, 0xc0, 0x80, 0x22, 0x5c, 0x7b, 0x5b])]), body.subarray(at)]);
    case 2:
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]);
    case 3:
      return Buffer.concat([body, Buffer.from(rng.pick(['}', ']', ' garbage', '\u0000', ',{}']))]);
    case 4:
      return Buffer.from(body.toString('utf8').replace(/"/g, rng.pick(["'", '\\"', '""'])));
    default:
      return Buffer.alloc(0);
  }
}

/** One mutated request for a gateway with a model `chat` and an embedding model `embed`. */
export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

export function fuzzRequest(rng: Rng, masterKey: string): FuzzRequest {
  const request = structuredClone(rng.pick(seeds(rng))) as Record<string, unknown>;
  const mutations = rng.int(4);
  for (let i = 0; i < mutations; i++) mutate(request, rng);
  // A field passed through to the container as it is (the dialects keep fields they do not model).
  if (rng.chance(0.2)) request[rng.pick(['x', 'metadata', 'top_k', 'extra'])] = randomValue(rng);
  const embeddings = 'input' in request || (request.model === 'embed' && rng.chance(0.7));
  let path = embeddings ? '/v1/embeddings' : '/v1/chat/completions';
  if (rng.chance(0.05))
    path = rng.pick([
      '/chat/completions',
      '/v1/models',
      '/v1/models/%',
      '/v1/models/%E0%A4%A',
      '/v1/%ZZ',
      '/v1/models/chat/../x',
      '//v1//embeddings',
    ]);
  let body: Buffer = Buffer.from(serialise(request));
  rawParts.length = 0;
  if (body.length > 6_000_000) body = Buffer.from(JSON.stringify({ model: 'chat', messages: 'too big' }));
  if (rng.chance(0.15)) body = damage(body, rng);
  const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${masterKey}` };
  if (rng.chance(0.1))
    headers['content-type'] = rng.pick([
      'text/plain',
      'application/json; charset=latin1',
      'application/x-www-form-urlencoded',
      '',
      'application/ld+json',
      '*/*',
    ]);
  if (rng.chance(0.05)) delete headers.authorization;
  if (rng.chance(0.03)) headers.authorization = rng.pick(['Bearer ', 'Basic abc', `Bearer ${'k'.repeat(8000)}`, 'bearer sk-nope']);
  if (rng.chance(0.05)) {
    headers['content-encoding'] = rng.pick(['gzip', 'br', 'identity', 'compress', 'gzip, gzip', 'deflate']);
    if (headers['content-encoding'] === 'gzip' && rng.chance(0.7)) body = gzipSync(body);
  }
  const method = rng.chance(0.03) ? rng.pick(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) : 'POST';
  return { method, path, headers, body };
}

/** Raw bytes on a socket: malformed and unusual HTTP that fetch would never send. */
export function rawCase(rng: Rng, masterKey: string): string {
  const body = '{"model":"chat","messages":[{"role":"user","content":"x"}]}';
  const lines = [
    'Host: gateway',
    `Authorization: Bearer ${masterKey}`,
    'Content-Type: application/json',
    `Content-Length: ${body.length}`,
    'Connection: close',
  ];
  let start = 'POST /v1/chat/completions HTTP/1.1';
  let payload = body;
  switch (rng.int(9)) {
    case 0: {
      const i = rng.int(lines.length - 1); // not Connection: a damaged one keeps the connection open
      const line = lines[i]!;
      const at = 1 + rng.int(line.length - 1);
      lines[i] = line.slice(0, at) + rng.pick(['\u0000', '\r', '\u0001', '\u007f', ' ', '\t', '(', '"']) + line.slice(at);
      break;
    }
    case 1:
      lines.push(
        rng.pick([
          `Content-Length: ${body.length}`,
          'Content-Length: 3',
          'Content-Length: -1',
          'Content-Length: abc',
          'Content-Length: 99999999999999999999',
        ]),
      );
      break;
    case 2:
      lines.splice(3, 1, 'Transfer-Encoding: chunked', ...(rng.chance(0.5) ? [`Content-Length: ${body.length}`] : []));
      payload = rng.pick([
        `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
        `zz\r\n${body}\r\n0\r\n\r\n`,
        `${body.length.toString(16)};${'e'.repeat(20_000)}\r\n${body}\r\n0\r\n\r\n`,
      ]);
      break;
    case 3:
      lines.push(`X-Pad: ${'a'.repeat(rng.pick([1000, 15_000, 17_000, 40_000]))}`);
      break;
    case 4:
      for (let i = 0; i < rng.pick([100, 2500]); i++) lines.push(`X-${i}: ${i}`);
      break;
    case 5:
      start = rng.pick([
        'G@T / HTTP/1.1',
        'POST http://other.example/v1/chat/completions HTTP/1.1',
        'POST /v1/chat/completions HTTP/1.0',
        'POST /v1/chat/completions HTTP/1.2',
        `POST /${'p'.repeat(20_000)} HTTP/1.1`,
      ]);
      break;
    case 6:
      lines[0] = rng.pick(['Host: [', 'Host: a b', 'Host:', 'Host: x:99999']);
      break;
    case 7:
      lines.push(
        rng.pick([
          'Transfer-Encoding: gzip',
          'Transfer-Encoding: chunked, gzip',
          'Expect: 100-continue',
          'Upgrade: websocket',
          'Content-Encoding: gzip',
        ]),
      );
      break;
    default:
      lines.splice(3, 1, 'Content-Length: 12');
      payload = '{"model":"ch';
  }
  return `${start}\r\n${lines.join('\r\n')}\r\n\r\n${payload}`;
}
