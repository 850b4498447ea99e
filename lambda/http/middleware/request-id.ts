import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.js';
import { carriesRequestId } from '../respond.js';

export interface RequestIdOptions {
  /** Makes a new id (default: `req_` and 32 hex digits, as OpenAI's ids look). */
  generate?: () => string;
  /** The response header that carries it (default `x-request-id`). */
  header?: string;
}

const newRequestId = () => `req_${crypto.randomUUID().replaceAll('-', '')}`;

/** Gives every request an id (`c.get('requestId')`), and its answer the header that names it. */
export function requestId({ generate = newRequestId, header = 'x-request-id' }: RequestIdOptions = {}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const id = generate();
    c.set('requestId', id);
    await next();
    // The hot routes' answers carry it already (`respond.ts`): no Headers object is built for them.
    if (!carriesRequestId(c.res)) c.res.headers.set(header, id);
  };
}
