/**
 * One JSON line per log record, on stdout (CloudWatch in Lambda). Records carry ids, names, sizes,
 * statuses, timings and causes; never keys, prompts or completions. At level `debug` a line per
 * upstream call (model, target, bytes, status, time) is added; only `payloads` as well puts the
 * payloads sent upstream and the whole answers received into those lines. Each runtime's entry
 * configures it (`configureLog`) from the operator's settings.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LogSettings {
  /** The lowest level written (default `info`). */
  level?: LogLevel;
  /** Nothing written at all (tests, benchmarks). */
  silent?: boolean;
  /** Debug lines may carry prompts and completions: an explicit, separate switch (default off). */
  payloads?: boolean;
}

let threshold = ORDER.info;
let silent = false;

function write(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
  if (silent || ORDER[level] < threshold) return;
  // Straight to the stream: console's formatting is measurable per request, and the line is ready.
  const line = `${JSON.stringify({ level, message, ...fields })}\n`;
  if (level === 'error' || level === 'warn') process.stderr.write(line);
  else process.stdout.write(line);
}

export const log = {
  /** Whether debug lines are written: check before building their fields on a hot path. */
  debugEnabled: false,
  /** Whether debug lines may carry prompts and completions. */
  payloads: false,
  debug: (message: string, fields?: Record<string, unknown>) => write('debug', message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write('info', message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write('warn', message, fields),
  error: (message: string, fields?: Record<string, unknown>) => write('error', message, fields),
};

/** Sets what is logged, for the whole process. */
export function configureLog({ level = 'info', silent: quiet = false, payloads = false }: LogSettings): void {
  threshold = ORDER[level] ?? ORDER.info;
  silent = quiet;
  log.debugEnabled = !quiet && threshold <= ORDER.debug;
  log.payloads = payloads;
}

/** The settings an operator gives in the environment: `LOG_LEVEL`, `SAGEGATE_SILENT=1`, `SAGEGATE_LOG_PAYLOADS=1`. */
export function logSettingsFrom(env: Record<string, string | undefined>): LogSettings {
  const level = env.LOG_LEVEL?.toLowerCase();
  return {
    ...(level && level in ORDER && { level: level as LogLevel }),
    silent: env.SAGEGATE_SILENT === '1',
    payloads: env.SAGEGATE_LOG_PAYLOADS === '1',
  };
}
