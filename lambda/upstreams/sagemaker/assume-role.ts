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
  let pending: Promise<AwsCredentialIdentity> | undefined;
  const assume = async (): Promise<AwsCredentialIdentity> => {
    const { AssumeRoleCommand } = await import('@aws-sdk/client-sts');
    try {
      const sts = await stsClient(region);
      const out = await sts.send(
        new AssumeRoleCommand({
          RoleArn: role.roleArn,
          RoleSessionName: role.sessionName ?? DEFAULT_SESSION_NAME,
          DurationSeconds: DURATION_SECONDS,
        }),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('STS answered no credentials');
      return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
    } catch (error) {
      const name = (error as Error).name;
      throw new GatewayError(
        502,
        `The gateway could not assume the role configured for this model (${name}); check that role's trust policy (the stack's TrustPolicy output).`,
        { code: 'upstream_misconfigured', cause: error },
      );
    }
  };
  return () => {
    if (cached?.expiration && cached.expiration.getTime() - Date.now() > REFRESH_BEFORE_MS) return Promise.resolve(cached);
    pending ??= assume()
      .then((credentials) => {
        cached = credentials;
        return credentials;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}
