import { AWS_CLIENTS, awsClientOptions } from '../aws/client-policy.js';

/** A secret's string at a staging label, or undefined when no version has that label. */
export type SecretReader = (secretId: string, stage?: 'AWSCURRENT' | 'AWSPENDING') => Promise<string | undefined>;

/**
 * Reads a secret's string through Secrets Manager. The SDK is loaded on first use, so deployments
 * that read no secret never pay for it; the client is then kept for the container's life. Requests
 * wait on these reads, so each attempt has a short time limit (`AWS_CLIENTS.secrets`): a Secrets Manager
 * that holds calls open fails them within seconds instead of after the SDK's default of never.
 */
export function secretsManagerReader(): SecretReader {
  let client: import('@aws-sdk/client-secrets-manager').SecretsManagerClient | undefined;
  return async (secretId, stage) => {
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    client ??= new SecretsManagerClient(awsClientOptions(AWS_CLIENTS.secrets));
    try {
      const out = await client.send(new GetSecretValueCommand({ SecretId: secretId, ...(stage && { VersionStage: stage }) }));
      if (out.SecretString === undefined) throw new Error('the secret has no string value');
      return out.SecretString;
    } catch (error) {
      // No version carries this label (AWSPENDING outside a rotation).
      if (stage === 'AWSPENDING' && (error as Error).name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  };
}
