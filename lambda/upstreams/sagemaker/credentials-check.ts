import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';

/**
 * Whether AWS credentials can be found as the SageMaker client will look for them (the SDK's default
 * chain), so a server can say at start that there are none instead of letting the first request find out.
 */
export async function awsCredentialsFound(region: string | undefined): Promise<boolean> {
  const client = new SageMakerRuntimeClient({ region: region ?? 'us-east-1' });
  try {
    await client.config.credentials();
    return true;
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}
