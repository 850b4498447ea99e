import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { AWS_CLIENTS, awsClientOptions } from '../../aws/client-policy.js';
import type { AssumeRoleConfig } from '../../config/config.js';
import { GatewayError } from '../../core/gateway-error.js';

/**
 * Credentials of a role to assume (an endpoint in another account), through STS AssumeRole
 * (docs/wire-facts.md §9). The STS client is loaded on first use: only configs with such models pay for it.
 */

/** Refreshed this long before they expire: the SDK clients' own window, so no call ever signs with credentials about to lapse. */
const REFRESH_BEFORE_MS = 5 * 60_000;
/** Credentials that come with less life than that are used for half of what they have, and kept no closer than this to their end. */
const LAST_MARGIN_MS = 1000;
/**
 * One hour: the longest an assumed role may last when the caller is itself an assumed role (a
 * Lambda function's or an ECS task's role: "role chaining"), and far over the SDK's five-minute
 * refresh window, under which every call would go to STS again.
 */
const DURATION_SECONDS = 3600;
const DEFAULT_SESSION_NAME = 'sagegate';

const stsClients = new Map<string, Promise<STSClient>>();

function stsClient(region: string | undefined): Promise<STSClient> {
  const key = `${region ?? ''} ${process.env.AWS_ENDPOINT_URL_STS ?? process.env.AWS_ENDPOINT_URL ?? ''}`;
  let client = stsClients.get(key);
  if (!client) {
    client = import('@aws-sdk/client-sts').then(
      ({ STSClient }) =>
        // STS sits on a request's path: a slow STS fails fast instead of holding the request.
        new STSClient({ ...(region && { region }), ...awsClientOptions(AWS_CLIENTS.sts), cacheMiddleware: true }),
    );
    // A failed load is not kept.
    client.catch(() => stsClients.delete(key));
    stsClients.set(key, client);
  }
  return client;
}

/**
 * A credential provider that assumes `role`, calling STS once and again only shortly before the
 * credentials expire; concurrent callers share one call. A refusal (the other account's trust policy,
 * say) is a 502 the client sees as the gateway's misconfiguration, with STS's own error as the cause.
 */
export function assumedRoleCredentials(role: AssumeRoleConfig, region: string | undefined): AwsCredentialIdentityProvider {
  let cached: AwsCredentialIdentity | undefined;
  /** When the cached credentials are to be replaced: one STS call per refresh, however short-lived they are. */
  let refreshAt = 0;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  const assume = async (): Promise<AwsCredentialIdentity> => {
    const { AssumeRoleCommand } = await import('@aws-sdk/client-sts');
    try {
      const sts = await stsClient(region);
      const out = await sts.send(
        new AssumeRoleCommand({
          RoleArn: role.roleArn,
          RoleSessionName: role.sessionName ?? DEFAULT_SESSION_NAME,
          DurationSeconds: role.durationSeconds ?? DURATION_SECONDS,
        }),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('STS answered no credentials');
      return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
    } catch (error) {
      const name = (error as Error).name;
      // STS that does not answer (or cannot be reached) is an outage to retry, not a misconfiguration.
      if (unreachable(error))
        throw new GatewayError(503, `STS did not answer the gateway's request for this model's role (${name}); retry shortly.`, {
          code: 'upstream_unavailable',
          retryAfter: 1,
          cause: error,
        });
      throw new GatewayError(
        502,
        `The gateway could not assume the role configured for this model (${name}); check that role's trust policy (the stack's TrustPolicy output).`,
        { code: 'upstream_misconfigured', cause: error },
      );
    }
  };
  return () => {
    if (cached && Date.now() < refreshAt) return Promise.resolve(cached);
    pending ??= assume()
      .then((credentials) => {
        cached = credentials;
        refreshAt = refreshTime(credentials.expiration);
        return credentials;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}

/**
 * When credentials expiring at `expiration` are replaced: the usual window before the end, or, for
 * credentials that already arrive inside it, half-way through what they have left (never in a loop).
 */
export function refreshTime(expiration: Date | undefined, now = Date.now()): number {
  if (!expiration) return Number.POSITIVE_INFINITY;
  const left = expiration.getTime() - now;
  if (left > REFRESH_BEFORE_MS * 2) return expiration.getTime() - REFRESH_BEFORE_MS;
  return now + Math.max(0, Math.min(left / 2, left - LAST_MARGIN_MS));
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);

/** A time limit that fired, or a connection never made: nothing STS decided. */
function unreachable(error: unknown): boolean {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'TimeoutError' || UNREACHABLE.has(e.code ?? '') || (e.$metadata?.httpStatusCode ?? 0) >= 500;
}
