/** An edit the key store refuses as asked (an unknown key id, a malformed limit): the caller's mistake, not an outage. */
export class KeyEditError extends Error {
  override readonly name = 'KeyEditError';
}
