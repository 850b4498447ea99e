import { checkJsonLimits, type JsonLimits } from '../../../lambda/http/json-limits.js';

/** Request reading and validation against hostile bodies, below the HTTP layer. */
const LIMITS: JsonLimits = { maxDepth: 4, maxArrayItems: 3, maxItems: 20 };
const check = (json: string, limits = LIMITS) => checkJsonLimits(Buffer.from(json), limits);

describe('JSON shape limits, checked on the raw bytes', () => {
  it.each([
    ['{"a":[1,2,3]}', undefined],
    ['{"a":[[[1]]]}', undefined],
    ['{"a":[[[[1]]]]}', { limit: 'depth', path: ['a', 0, 0, 0] }],
    ['{"a":{"b":[1,2,3,4]}}', { limit: 'array_items', path: ['a', 'b'] }],
    ['{"x":1,"msgs":[{"c":[0,0]},{"c":[0,0,0,0]}]}', { limit: 'array_items', path: ['msgs', 1, 'c'] }],
    // Brackets, commas and escaped quotes inside strings are text, not structure.
    ['{"s":"[[[[[,,,,,\\"]]]]]","t":[1]}', undefined],
    ['{"k\\"ey":{"é\\u00e9":[[[1]]]}}', { limit: 'depth', path: ['k"ey', 'éé', 0, 0] }],
    // Malformed JSON is JSON.parse's to refuse; the scan neither throws nor loops.
    ['{"a":"unterminated', undefined],
    [']]]]{', undefined],
  ])('%s', (json, breach) => {
    expect(check(json)).toEqual(breach);
  });

  it('counts every value of the body against its size limit', () => {
    const rows = JSON.stringify({ rows: Array.from({ length: 3 }, () => [1, 2, 3]), more: [1, 2, 3] });
    expect(check(rows, { ...LIMITS, maxItems: 12 })).toEqual({ limit: 'items', path: ['rows', 2] });
    expect(check(rows, { ...LIMITS, maxItems: 15 })).toEqual({ limit: 'items', path: ['more'] });
    expect(check(rows, { ...LIMITS, maxItems: 100 })).toBeUndefined();
  });

  it('names a megabyte key by its start only', () => {
    const breach = check(`{"${'k'.repeat(1_000_000)}":[[[[[1]]]]]}`);
    expect(breach!.path[0]).toBe(`${'k'.repeat(127)}…`);
  });

  it('refuses 3 million levels of nesting at once, before anything parses them', () => {
    const deep = Buffer.from(`${'['.repeat(3_000_000)}${']'.repeat(3_000_000)}`);
    expect(checkJsonLimits(deep)).toMatchObject({ limit: 'depth' });
  });
});
