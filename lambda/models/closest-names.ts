/** Edits (insert, delete, substitute) from `a` to `b`, or more than `limit` as soon as that is certain. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, row[j]!);
    }
    if (best > limit) return limit + 1;
    previous = row;
  }
  return previous[b.length]!;
}

/**
 * The names closest to a mistyped one, for a "did you mean" hint: the same name in other case first,
 * then those a few edits away (or containing it, or contained in it), at most three.
 */
export function closestNames(asked: string, names: Iterable<string>, max = 3): string[] {
  const wanted = asked.toLowerCase().slice(0, 256);
  const limit = Math.max(2, Math.floor(wanted.length / 3));
  const scored: [name: string, score: number][] = [];
  for (const name of new Set(names)) {
    const lower = name.toLowerCase();
    if (lower === wanted) scored.push([name, -1]);
    else if (wanted.length >= 3 && (lower.includes(wanted) || wanted.includes(lower))) scored.push([name, limit]);
    else {
      const d = distance(wanted, lower, limit);
      if (d <= limit) scored.push([name, d]);
    }
  }
  return scored
    .sort((x, y) => x[1] - y[1] || x[0].localeCompare(y[0]))
    .slice(0, max)
    .map(([name]) => name);
}
