/**
 * A controller for one request's upstream work, aborted when the client leaves (the request's
 * signal) or when the response body is cancelled. A listener rather than AbortSignal.any, which
 * costs ~20 µs per call on Node 20 (WeakRefs).
 */
export function clientSignal(request: Request): AbortController {
  const cancel = new AbortController();
  const client = request.signal;
  if (client.aborted) cancel.abort(client.reason);
  else client.addEventListener('abort', () => cancel.abort(client.reason), { once: true });
  return cancel;
}
