import type { MiddlewareHandler } from 'hono';
import { describeCause } from '../../core/gateway-error.js';
import { log } from '../../core/log.js';
import { requestMetrics } from '../../core/metrics.js';
import type { AppEnv } from '../env.js';

export interface AccessLogOptions {
  /** Where lines go (default: the gateway's JSON log). */
  write?: { info(message: string, fields: Record<string, unknown>): void; error(message: string, fields: Record<string, unknown>): void };
}

/**
 * One line per request: id, method, path, status, the configured model's name, time, and the code
 * and cause of a 5xx; CloudWatch metrics ride on it where the runtime embeds them.
 */
export function accessLog({ write = log }: AccessLogOptions = {}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const status = c.res.status;
    const ms = Math.round(performance.now() - started);
    const model = c.get('model');
    const fields: Record<string, unknown> = {
      requestId: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status,
      model,
      ms,
      ...requestMetrics(status, ms, model),
    };
    const error = c.get('error');
    if (error && status >= 500) Object.assign(fields, { code: error.code, cause: describeCause(error) });
    // A client that left (mid-upload, or before the answer) is no failure of the gateway's: no error alarm.
    if (status === 499) fields.code = 'client_closed_request';
    // Written once the answer (or a stream's first chunk) has gone out: a log line is a synchronous
    // write to a pipe, which has no business between the model's first token and the client.
    if (status >= 500) setImmediate(() => write.error('request failed', fields));
    else setImmediate(() => write.info('request', fields));
  };
}
