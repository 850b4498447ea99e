import { CreateSecretCommand, DescribeSecretCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { upstreamKeySecretName } from '../../config/upstream-keys.js';

/**
 * Stores an upstream's API key where the CDK app looks for it (`sagegate/<stack>/upstream/<deployment>`),
 * creating the secret or adding a version. Returns the secret's ARN. The key itself is never printed.
 */
export async function storeUpstreamKey(client: SecretsManagerClient, stackName: string, deploymentId: string, key: string): Promise<string> {
  const name = upstreamKeySecretName(stackName, deploymentId);
  try {
    await client.send(new DescribeSecretCommand({ SecretId: name }));
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    const created = await client.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: key,
        Description: `sagegate: the API key of upstream '${deploymentId}' (stack ${stackName})`,
      }),
    );
    return created.ARN!;
  }
  const put = await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: key }));
  return put.ARN!;
}

/** All of standard input, trimmed: the key (a pipe or a paste ended with Ctrl-D). */
export async function readKey(input: AsyncIterable<Buffer | string> = process.stdin): Promise<string> {
  let text = '';
  for await (const chunk of input) text += chunk.toString();
  return text.trim();
}
