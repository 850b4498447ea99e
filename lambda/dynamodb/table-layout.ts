/**
 * The usage table's layout, shared by the handler, the CDK stack, the local server and the CLI.
 * One table, `pk` (S) + `sk` (S), TTL on `ttl` (epoch seconds). Item kinds by partition key:
 *
 *   usage#<YYYY-MM-DD>   sk <keyId>#<model>#<servedBy>   counters of one key, model and deployment on one UTC day,
 *                                                        its requests per API (`<api>_requests`), and the same per UTC
 *                                                        hour (`HOUR_ATTRIBUTES`), all added by the same write
 *   limit#<scope>        sk <YYYY-MM-DDTHH:MM>           requests and tokens of one scope in one UTC minute
 *   response#<id>        sk response | part#<n>          a stored Responses API answer, gzipped, in parts over 350 KB
 *
 * Day partitions let one Query read a whole day (the gateway's spend) or one key's part of it
 * (`begins_with(sk, '<keyId>#')`). Key ids, model names and deployment ids never contain `#`.
 */
export const TABLE_KEY = { partition: 'pk', sort: 'sk', ttl: 'ttl' } as const;

export const DAY_MS = 86_400_000;

/** The day `dayOf` last named, kept: every metered request asks for the same one. */
let lastDay = { from: 0, to: 0, day: '' };

/** The UTC day of a time, `YYYY-MM-DD`. */
export function dayOf(ms: number): string {
  if (ms >= lastDay.from && ms < lastDay.to) return lastDay.day;
  const from = Math.floor(ms / DAY_MS) * DAY_MS;
  const day = new Date(ms).toISOString().slice(0, 10);
  lastDay = { from, to: from + DAY_MS, day };
  return day;
}

/** The UTC minute of a time, `YYYY-MM-DDTHH:MM`. */
export const minuteOf = (ms: number): string => new Date(ms).toISOString().slice(0, 16);

/** Midnight (UTC) of a `YYYY-MM-DD` day, in ms. */
export const dayStart = (day: string): number => Date.parse(`${day}T00:00:00Z`);

/** The days from `first` up to and including `last`. */
export function daysBetween(first: string, last: string): string[] {
  const days: string[] = [];
  for (let t = dayStart(first); t <= dayStart(last); t += DAY_MS) days.push(dayOf(t));
  return days;
}

export const usagePartition = (day: string) => `usage#${day}`;
export const usageSort = (keyId: string, model: string, servedBy: string) => `${keyId}#${model}#${servedBy}`;
export const limitPartition = (scope: string) => `limit#${scope}`;

/** The sort key of a stored response's main item (no part) or of its part `n` (from 1). */
export const responseSort = (part?: number) => (part ? `part#${part}` : 'response');

/** The key of a stored response's main item or part, as DynamoDB takes it. */
export const responseKey = (id: string, part?: number) => ({
  [TABLE_KEY.partition]: { S: `response#${id}` },
  [TABLE_KEY.sort]: { S: responseSort(part) },
});

/** The counters of one usage row, as the table holds them (attribute names). */
export interface UsageRow {
  day: string;
  key: string;
  model: string;
  served_by: string;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  /** USD; only requests to priced deployments add to it. */
  cost: number;
  /** Requests whose token counts are (partly) the gateway's estimate, not the container's. */
  estimated_requests: number;
  /** Requests served by a deployment without prices: tokens counted, no cost. */
  unpriced_requests: number;
  /** The same by UTC hour (`00`-`23`), for the hours that had requests; absent on rows written before hours were counted. */
  hours?: Record<string, HourCounters>;
  /** Of `requests`, how many came through each API (absent: none, or a row written before APIs were counted). */
  by_api: Partial<Record<UsageApi, number>>;
}

/** A usage row's figures within one UTC hour. */
export interface HourCounters {
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost: number;
}

/**
 * Per-hour counters ride in the day's item, added by the same UpdateItem as the day's (never a
 * second write): attribute `h<HH><letter>`, e.g. `h07r` for requests in 07:00-07:59 UTC. Short
 * names keep a busy row's item small (a write's cost grows with the item, 1 KB at a time).
 */
export const HOUR_ATTRIBUTES: Record<keyof HourCounters, string> = { requests: 'r', prompt_tokens: 'p', completion_tokens: 'c', cost: 'd' };
export const hourAttribute = (hour: string, counter: keyof HourCounters) => `h${hour}${HOUR_ATTRIBUTES[counter]}`;

/** The UTC hour of a time, `00` to `23`. */
export const hourOf = (ms: number): string => String(new Date(ms).getUTCHours()).padStart(2, '0');

/** The APIs a request can come through: each row counts its requests per API too. */
export const USAGE_APIS = ['chat_completions', 'completions', 'responses', 'messages', 'embeddings'] as const;
export type UsageApi = (typeof USAGE_APIS)[number];

/** The row attribute counting one API's requests (`messages_requests`, ...); rows from before it have none. */
export const apiCounter = (api: UsageApi) => `${api}_requests` as const;

/** The numeric counters of a usage row, in the order the report shows them. */
export const USAGE_COUNTERS = ['requests', 'prompt_tokens', 'completion_tokens', 'cost', 'estimated_requests', 'unpriced_requests'] as const;
