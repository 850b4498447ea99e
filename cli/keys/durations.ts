const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `30d`, `12h`, `90m`, `1w`: a lifetime from now, as an ISO date. */
export function expiryFrom(text: string, now = Date.now()): string {
  const match = /^(\d+)\s*([smhdw])$/.exec(text.trim());
  if (!match || Number(match[1]) === 0) throw new UsageError(`--expires: '${text}' is not a duration such as 30d, 12h or 90m`);
  return new Date(now + Number(match[1]) * UNITS[match[2]!]!).toISOString();
}

/** A mistake in how the command was called (exit code 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
