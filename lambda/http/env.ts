import type { Principal } from '../auth/authenticator.js';

/** Per-request values set by middleware. */
export interface AppEnv {
  Variables: {
    requestId: string;
    principal: Principal;
    /** The client-facing model name, for the access log. */
    model?: string;
  };
}
