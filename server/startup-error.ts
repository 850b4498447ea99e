/** Why the server cannot start, as the operator should read it (printed without a stack). */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}
