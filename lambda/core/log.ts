/**
 * One JSON line per log record, on stdout (CloudWatch in Lambda). Records carry ids, names, sizes,
 * statuses, timings and causes; never keys, prompts or completions. `LOG_LEVEL=debug` adds a line per
 * upstream call (model, target, bytes, status, time); only `SAGEGATE_LOG_PAYLOADS=1` as well puts
 * the payloads sent upstream and the whole answers received into those lines.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const threshold = ORDER[(process.env.LOG_LEVEL?.toLowerCase() as Level) ?? 'info'] ?? ORDER.info;
const silent = process.env.SAGEGATE_SILENT === '1';

function write(level: Level, message: string, fields?: Record<string, unknown>): void {
  if (silent || ORDER[level] < threshold) return;
  // Straight to the stream: console's formatting is measurable per request, and the line is ready.
  const line = `${JSON.stringify({ level, message, ...fields })}\n`;
  if (level === 'error' || level === 'warn') process.stderr.write(line);
  else process.stdout.write(line);
}

export const log = {
  /** Whether debug lines are written: check before building their fields on a hot path. */
  debugEnabled: !silent && threshold <= ORDER.debug,
  /** Whether debug lines may carry prompts and completions (an explicit, separate switch). */
  payloads: process.env.SAGEGATE_LOG_PAYLOADS === '1',
  debug: (message: string, fields?: Record<string, unknown>) => write('debug', message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write('info', message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write('warn', message, fields),
  error: (message: string, fields?: Record<string, unknown>) => write('error', message, fields),
};
