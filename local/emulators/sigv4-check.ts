import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';

export interface EmulatorCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The AWS error a service answers for a request whose SigV4 signature does not hold. */
export interface SignatureFault {
  type: 'MissingAuthenticationTokenException' | 'IncompleteSignatureException' | 'UnrecognizedClientException' | 'InvalidSignatureException';
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
  credentials: EmulatorCredentials | undefined,
  service: string,
): Promise<SignatureFault | undefined> {
  const authorization = header(request.headers, 'authorization');
  if (!authorization?.startsWith('AWS4-HMAC-SHA256')) return { type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  if (!credentials) return undefined;
  const match = AUTHORIZATION.exec(authorization);
  const date = header(request.headers, 'x-amz-date');
  if (!match || !date)
    return {
      type: 'IncompleteSignatureException',
      message: `Authorization header requires a Credential, SignedHeaders and Signature, and X-Amz-Date is required.`,
    };
  const [, accessKeyId, , region, scopeService, signedHeaders, signature] = match;
  if (accessKeyId !== credentials.accessKeyId)
    return { type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  if (scopeService !== service)
    return { type: 'InvalidSignatureException', message: `Credential should be scoped to correct service: '${service}'.` };

  const payloadHash = header(request.headers, 'x-amz-content-sha256');
  if (payloadHash && payloadHash !== createHash('sha256').update(request.body).digest('hex')) {
    return { type: 'InvalidSignatureException', message: "The provided 'x-amz-content-sha256' header does not match what was computed." };
  }
  const headers: Record<string, string> = {};
  for (const name of signedHeaders!.split(';')) headers[name] = header(request.headers, name) ?? '';
  const [path, query = ''] = request.url.split('?');
  const signer = new SignatureV4({ credentials, region: region!, service, sha256: Sha256 });
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

/** A request header's value as signed and read by AWS: repeated headers joined with commas. */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** 20261122T043400Z */
function fromAmzDate(value: string): Date {
  const [, y, mo, d, h, mi, s] = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value) ?? [];
  return new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
}

/** The hash the signer needs: SHA-256, or HMAC-SHA-256 when given a key. */
class Sha256 {
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
