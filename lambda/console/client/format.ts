const integer = new Intl.NumberFormat('en-US');
const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 4 });

export const count = (n: number): string => integer.format(n);
/** Sub-cent amounts (a self-hosted model's tokens) keep two significant digits, so chart ticks stay apart. */
const smallUsd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumSignificantDigits: 2 });

export const dollars = (n: number | null | undefined): string =>
  n === null || n === undefined ? '-' : n !== 0 && Math.abs(n) < 0.01 ? smallUsd.format(n) : usd.format(n);
export const tokens = (f: { prompt_tokens: number; completion_tokens: number }): number => f.prompt_tokens + f.completion_tokens;
export const when = (iso: string | null | undefined): string => (iso ? iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC') : '-');
