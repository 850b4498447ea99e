import type { MiddlewareHandler } from 'hono';
import { type Authenticator, presentedKey } from '../../auth/authenticator.js';
import type { AppEnv } from '../env.js';

/**
 * Who calls (`c.get('principal')`), from `Authorization: Bearer <key>` or `x-api-key` (as Anthropic's
 * clients send it); an unknown, revoked or expired key is a 401 in the API's own shape.
 */
export function authenticate({ auth }: { auth: Authenticator }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = presentedKey(c.req.header('authorization'), c.req.header('x-api-key'));
    c.set('principal', await auth.authenticate(key));
    await next();
  };
}
