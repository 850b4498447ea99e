const integer = new Intl.NumberFormat('en-US');
const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 4 });

export const count = (n: number): string => integer.format(n);
export const dollars = (n: number | null | undefined): string => (n === null || n === undefined ? '-' : usd.format(n));
export const tokens = (f: { prompt_tokens: number; completion_tokens: number }): number => f.prompt_tokens + f.completion_tokens;
export const when = (iso: string | null | undefined): string => (iso ? iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC') : '-');
