import { lifetimeEnd } from '../../lambda/keys/lifetime.js';

/** `30d`, `12h`, `90m`, `1w`: a lifetime from now, as an ISO date. */
export function expiryFrom(text: string, now = Date.now()): string {
  const end = lifetimeEnd(text, now);
  if (!end) throw new UsageError(`--expires: '${text}' is not a duration such as 30d, 12h or 90m`);
  return end;
}

/** A mistake in how the command was called (exit code 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
