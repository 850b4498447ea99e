const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `30d`, `12h`, `90m`, `1w`: the end of a lifetime from now, as an ISO date; undefined when the text is no such duration. */
export function lifetimeEnd(text: string, now = Date.now()): string | undefined {
  const match = /^(\d+)\s*([smhdw])$/.exec(text.trim());
  if (!match || Number(match[1]) === 0) return undefined;
  return new Date(now + Number(match[1]) * UNITS[match[2]!]!).toISOString();
}
