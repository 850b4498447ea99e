import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';

/**
 * SageMaker's bearer token for its OpenAI-compatible route, minted locally from AWS credentials with
 * no network call (docs/wire-facts.md §9): a SigV4 presigned URL for the `CallWithBearerToken` action
 * on `sagemaker.amazonaws.com`, `&Version=1` appended, base64-encoded behind `sagemaker-api-key-`.
 */
const HOST = 'sagemaker.amazonaws.com';
const PREFIX = 'sagemaker-api-key-';
/** The longest a token may be valid: 12 hours. */
const MAX_SECONDS = 43_200;
/** A token is replaced this long before it (or the credentials inside it) expires. */
const REFRESH_BEFORE_MS = 5 * 60_000;

/** Mints a token from the credentials of one signing identity and region. */
export async function mintBearerToken(
  credentials: AwsCredentialIdentity,
  region: string,
  sha256: ConstructorParameters<typeof SignatureV4>[0]['sha256'],
  expiresInSeconds: number,
  signingDate = new Date(),
): Promise<string> {
  const signer = new SignatureV4({ credentials, region, service: 'sagemaker', sha256 });
  const presigned = await signer.presign(
    { method: 'POST', protocol: 'https:', hostname: HOST, path: '/', query: { Action: 'CallWithBearerToken' }, headers: { host: HOST } },
    { expiresIn: expiresInSeconds, signingDate },
  );
  const query = Object.entries(presigned.query ?? {})
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`)
    .join('&');
  return PREFIX + Buffer.from(`${HOST}/?${query}&Version=1`).toString('base64');
}

/**
 * The tokens of one SageMaker client (one region, one identity), cached: a token lasts until shortly
 * before it expires, and never outlives the credentials it carries (temporary credentials expire first,
 * and new ones from the client's provider mean a new token).
 */
export class BearerTokens {
  private cached: { token: string; credentials: AwsCredentialIdentity; refreshAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(private readonly client: SageMakerRuntimeClient) {}

  async get(): Promise<string> {
    const credentials = await this.client.config.credentials();
    const cached = this.cached;
    if (cached && cached.credentials === credentials && Date.now() < cached.refreshAt) return cached.token;
    this.pending ??= this.mint(credentials).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** After a refusal: the next call mints a new token. */
  forget(): void {
    this.cached = undefined;
  }

  private async mint(credentials: AwsCredentialIdentity): Promise<string> {
    const now = Date.now();
    const credentialsLeft = credentials.expiration ? credentials.expiration.getTime() - now : Number.POSITIVE_INFINITY;
    const seconds = Math.max(1, Math.min(MAX_SECONDS, Math.floor(credentialsLeft / 1000)));
    const token = await mintBearerToken(credentials, await this.client.config.region(), this.client.config.sha256, seconds, new Date(now));
    this.cached = { token, credentials, refreshAt: now + seconds * 1000 - REFRESH_BEFORE_MS };
    return token;
  }
}
