import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';

export interface EmulatorCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials (an assumed role's): requests must carry this token, signed. */
  sessionToken?: string;
  /** Temporary credentials are refused after this. */
  expiration?: Date;
}

/** The credentials an emulator knows, by access key id (one set, or a lookup over several). */
export type KnownCredentials = EmulatorCredentials | ((accessKeyId: string) => EmulatorCredentials | undefined);

export const lookupCredentials = (known: KnownCredentials, accessKeyId: string): EmulatorCredentials | undefined =>
  typeof known === 'function' ? known(accessKeyId) : known.accessKeyId === accessKeyId ? known : undefined;

/** The AWS error a service answers for a request whose SigV4 signature does not hold. */
export interface SignatureFault {
  type:
    | 'MissingAuthenticationTokenException'
    | 'IncompleteSignatureException'
    | 'UnrecognizedClientException'
    | 'InvalidSignatureException'
    | 'ExpiredTokenException';
  message: string;
}

/** The test credentials as the SDK reads them from the environment. */
export function environmentCredentials(): EmulatorCredentials | undefined {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = process.env;
  return accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

/**
 * Checks a request's SigV4 signature as AWS does: the signature is computed again, with the
 * credentials the emulator knows, over the headers the request says it signed, and compared; the
 * payload hash header must match the body. The signer is the one the SDK itself uses. Without
 * credentials only the signature's presence is checked.
 */
export async function checkSigV4(
  request: { method: string; url: string; headers: IncomingHttpHeaders; body: Buffer },
  known: KnownCredentials | undefined,
  service: string,
): Promise<SignatureFault | undefined> {
  const authorization = header(request.headers, 'authorization');
  if (!authorization?.startsWith('AWS4-HMAC-SHA256')) return { type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  if (!known) return undefined;
  const match = AUTHORIZATION.exec(authorization);
  const date = header(request.headers, 'x-amz-date');
  if (!match || !date)
    return {
      type: 'IncompleteSignatureException',
      message: `Authorization header requires a Credential, SignedHeaders and Signature, and X-Amz-Date is required.`,
    };
  const [, accessKeyId, , region, scopeService, signedHeaders, signature] = match;
  const credentials = lookupCredentials(known, accessKeyId!);
  if (!credentials) return { type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  const tokenFault = sessionTokenFault(credentials, header(request.headers, 'x-amz-security-token'));
  if (tokenFault) return tokenFault;
  if (credentials.sessionToken && !signedHeaders!.split(';').includes('x-amz-security-token'))
    return { type: 'IncompleteSignatureException', message: 'The security token must be signed (x-amz-security-token).' };
  if (scopeService !== service)
    return { type: 'InvalidSignatureException', message: `Credential should be scoped to correct service: '${service}'.` };

  const payloadHash = header(request.headers, 'x-amz-content-sha256');
  if (payloadHash && payloadHash !== createHash('sha256').update(request.body).digest('hex')) {
    return { type: 'InvalidSignatureException', message: "The provided 'x-amz-content-sha256' header does not match what was computed." };
  }
  const headers: Record<string, string> = {};
  for (const name of signedHeaders!.split(';')) headers[name] = header(request.headers, name) ?? '';
  const [path, query = ''] = request.url.split('?');
  const signer = new SignatureV4({ credentials: signingKeys(credentials), region: region!, service, sha256: Sha256 });
  const expected = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: headers.host ?? '',
      path: path!,
      query: Object.fromEntries(new URLSearchParams(query)),
      headers,
      body: request.body,
    },
    { signingDate: fromAmzDate(date) },
  );
  if (!String(expected.headers.authorization).endsWith(`Signature=${signature}`)) {
    return {
      type: 'InvalidSignatureException',
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    };
  }
  return undefined;
}

/**
 * Temporary credentials only work with their own session token, and only until they expire
 * (`ExpiredTokenException`, as AWS answers); long-term keys must come without one.
 */
export function sessionTokenFault(credentials: EmulatorCredentials, presented: string | undefined): SignatureFault | undefined {
  if ((credentials.sessionToken ?? undefined) !== (presented ?? undefined))
    return { type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  if (credentials.expiration && credentials.expiration.getTime() <= Date.now())
    return { type: 'ExpiredTokenException', message: 'The security token included in the request is expired' };
  return undefined;
}

/** What the signer needs of a set of credentials (its session token travels in the request already). */
export const signingKeys = (c: EmulatorCredentials) => ({ accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey });

/** A request header's value as signed and read by AWS: repeated headers joined with commas. */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** 20261122T043400Z */
export function fromAmzDate(value: string): Date {
  const [, y, mo, d, h, mi, s] = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value) ?? [];
  return new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
}

/** The hash the signer needs: SHA-256, or HMAC-SHA-256 when given a key. */
export class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

const bytes = (data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array =>
  typeof data === 'string' ? data : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
