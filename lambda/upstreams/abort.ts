import { GatewayError } from '../core/gateway-error.js';

/** Why an upstream call was cut, for any transport: the Lambda deadline (a 504 the client sees) or the client leaving. */
export function abortReason(signal: AbortSignal): GatewayError {
  return signal.reason instanceof GatewayError
    ? signal.reason
    : new GatewayError(499, 'The client closed the request.', { code: 'client_closed_request' });
}

/** The call's result, or the abort's reason as soon as the signal fires (the call is left to finish). */
export function untilAborted<T>(call: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  call.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    call.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
