/** Calls to the console's JSON API: same origin, the session cookie, and the CSRF token on writes. */
let csrfToken = '';

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null,
  ) {
    super(message);
  }
}

/** What to tell the user about a failed call: the API's own message, else that it could not be reached. */
export const messageOf = (e: unknown): string => (e instanceof ApiError ? e.message : 'The console could not be reached.');

/** Set by the shell: a 401 anywhere means the session is over. */
let onSignedOut: () => void = () => undefined;
export function whenSignedOut(callback: () => void): void {
  onSignedOut = callback;
}

export async function api<T>(path: string, options: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const response = await fetch(`/ui/api${path}`, {
    method,
    credentials: 'same-origin',
    headers: {
      accept: 'application/json',
      ...(method !== 'GET' && { 'content-type': 'application/json', 'x-csrf-token': csrfToken }),
    },
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    data = {};
  }
  if (!response.ok) {
    const error = (data as { error?: { message?: string; code?: string } }).error;
    if (response.status === 401 && path !== '/sign-in') onSignedOut();
    throw new ApiError(response.status, error?.message ?? `The console answered ${response.status}.`, error?.code ?? null);
  }
  return data as T;
}
