import type { Principal } from '../auth/authenticator.js';
import type { GatewayError } from '../core/gateway-error.js';
import type { Admission } from '../usage/usage.js';
import type { ClientGone } from './client-signal.js';

/** Per-request values set by middleware and routes. */
export interface AppEnv {
  /** What a runtime adapter passes beside the Request (none on Lambda). */
  Bindings: { clientGone?: ClientGone } | undefined;
  Variables: {
    requestId: string;
    principal: Principal;
    /** The client-facing model name, for the access log. */
    model?: string;
    /** The error the request ended in, for the access log's code and cause. */
    error?: GatewayError;
    /** The request's admission under its budgets and limits; answers are metered through it (`metering.ts`). */
    usage?: Admission;
  };
}
