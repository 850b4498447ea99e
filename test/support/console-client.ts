/** A browser's part in console requests, for tests that speak HTTP to /ui without one: the cookie and the CSRF token. */
export interface ConsoleSession {
  cookie: string;
  csrf: string;
  principal: string;
}

export async function signIn(
  base: string,
  key: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; session?: ConsoleSession; response: Response }> {
  const response = await fetch(`${base}/ui/api/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ key }),
  });
  if (response.status !== 200) {
    await response.text();
    return { status: response.status, response };
  }
  const body = (await response.json()) as { csrf_token: string; principal: string };
  const cookie = response.headers.getSetCookie()[0]!.split(';')[0]!;
  return { status: 200, session: { cookie, csrf: body.csrf_token, principal: body.principal }, response };
}

/** A console API call as the console's own page makes it (same origin, JSON, the session's token on writes). */
export async function consoleCall(
  base: string,
  session: ConsoleSession | undefined,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; response: Response }> {
  const response = await fetch(`${base}/ui/api${path}`, {
    method,
    headers: {
      ...(session && { cookie: session.cookie }),
      ...(method !== 'GET' && { 'content-type': 'application/json', ...(session && { 'x-csrf-token': session.csrf }) }),
      ...headers,
    },
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // CSV, HTML
  }
  return { status: response.status, body: parsed, response };
}
