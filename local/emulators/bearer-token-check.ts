import { SignatureV4 } from '@smithy/signature-v4';
import {
  type EmulatorCredentials,
  fromAmzDate,
  type KnownCredentials,
  lookupCredentials,
  Sha256,
  type SignatureFault,
  sessionTokenFault,
  signingKeys,
} from './sigv4-check.js';

/**
 * Checks a SageMaker bearer token as the OpenAI-compatible route does (docs/wire-facts.md §9): the
 * `sagemaker-api-key-` prefix, base64 of a presigned `CallWithBearerToken` URL on sagemaker.amazonaws.com
 * ending in `&Version=1`; its signature computed again with the credentials the emulator knows (the
 * SDK's own signer, as for SigV4 headers), its session token, its region, and its expiry.
 */
const PREFIX = 'sagemaker-api-key-';
const HOST = 'sagemaker.amazonaws.com';
const MAX_SECONDS = 43_200;

export interface TokenCheck {
  fault?: SignatureFault;
  /** Whose credentials signed the token. */
  accessKeyId?: string;
}

const invalid = (message: string): TokenCheck => ({ fault: { type: 'UnrecognizedClientException', message } });

export async function checkBearerToken(token: string, known: KnownCredentials | undefined, options: { region?: string } = {}): Promise<TokenCheck> {
  if (!token.startsWith(PREFIX)) return invalid('Invalid API Key format: Must start with pre-defined prefix');
  const url = Buffer.from(token.slice(PREFIX.length), 'base64').toString('utf8');
  if (!url.startsWith(`${HOST}/?`) || !url.endsWith('&Version=1')) return invalid('Invalid API Key format: not a SageMaker bearer token');
  const query = new URLSearchParams(url.slice(HOST.length + 2, -'&Version=1'.length));
  const credential = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/.exec(query.get('X-Amz-Credential') ?? '');
  const date = query.get('X-Amz-Date') ?? '';
  const expires = Number(query.get('X-Amz-Expires'));
  const signature = query.get('X-Amz-Signature');
  if (
    query.get('Action') !== 'CallWithBearerToken' ||
    query.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' ||
    query.get('X-Amz-SignedHeaders') !== 'host' ||
    !credential ||
    !/^\d{8}T\d{6}Z$/.test(date) ||
    !signature
  ) {
    return invalid('Invalid API Key format: the presigned request is incomplete');
  }
  const [, accessKeyId, , region, service] = credential;
  if (service !== 'sagemaker') return invalid(`Credential should be scoped to correct service: 'sagemaker'.`);
  if (options.region && region !== options.region) return invalid(`Credential should be scoped to a valid region, not '${region}'.`);
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_SECONDS) return invalid('X-Amz-Expires must be between 1 and 43200 seconds.');
  const signedAt = fromAmzDate(date);
  if (signedAt.getTime() + expires * 1000 <= Date.now()) return { fault: { type: 'ExpiredTokenException', message: 'Bearer token has expired.' } };
  if (!known) return { accessKeyId };

  const credentials: EmulatorCredentials | undefined = lookupCredentials(known, accessKeyId!);
  if (!credentials) return invalid('The security token included in the request is invalid.');
  const tokenFault = sessionTokenFault(credentials, query.get('X-Amz-Security-Token') ?? undefined);
  if (tokenFault) return { fault: tokenFault };
  const signer = new SignatureV4({
    credentials: { ...signingKeys(credentials), sessionToken: credentials.sessionToken },
    region: region!,
    service,
    sha256: Sha256,
  });
  const expected = await signer.presign(
    { method: 'POST', protocol: 'https:', hostname: HOST, path: '/', query: { Action: 'CallWithBearerToken' }, headers: { host: HOST } },
    { expiresIn: expires, signingDate: signedAt },
  );
  if (expected.query?.['X-Amz-Signature'] !== signature) {
    return {
      fault: { type: 'InvalidSignatureException', message: 'The request signature we calculated does not match the signature you provided.' },
    };
  }
  return { accessKeyId };
}
