import type { LambdaFunctionURLEvent } from 'aws-lambda';

/** What `awslambda.HttpResponseStream.from` sends ahead of the body. */
export interface HttpResponseMetadata {
  statusCode: number;
  headers: Record<string, string>;
  cookies?: string[];
}

/** A web `Request` from a Function URL event (payload format 2.0), base64 bodies included. */
export function requestFromEvent(event: LambdaFunctionURLEvent, signal: AbortSignal): Request {
  const http = event.requestContext.http;
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  const url = `https://${event.requestContext.domainName ?? event.headers?.host ?? 'lambda-url'}${event.rawPath || '/'}${query}`;
  const headers = new Headers();
  for (const [name, value] of Object.entries(event.headers ?? {})) if (value !== undefined) headers.set(name, value);
  if (event.cookies?.length) headers.set('cookie', event.cookies.join('; '));
  const method = http.method.toUpperCase();
  const hasBody = method !== 'GET' && method !== 'HEAD' && event.body !== undefined && event.body !== null;
  const body = hasBody ? (event.isBase64Encoded ? Buffer.from(event.body!, 'base64') : event.body!) : undefined;
  return new Request(url, { method, headers, body, signal });
}

/** The prelude the runtime sends before the body: status, headers, and cookies apart. */
/** Connection-level headers: the Function URL sets its own. */
const HOP_BY_HOP = new Set(['set-cookie', 'transfer-encoding', 'connection', 'keep-alive']);

export function metadataFromResponse(response: Response): HttpResponseMetadata {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name)) headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  return cookies.length ? { statusCode: response.status, headers, cookies } : { statusCode: response.status, headers };
}
