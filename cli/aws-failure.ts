/** An AWS SDK failure as an operator can act on it. */
export function awsFailure(error: unknown): string {
  const message = (error as Error).message ?? String(error);
  if (/region is missing/i.test(message)) return 'no AWS region: pass --region <region> or set AWS_REGION';
  if ((error as Error).name === 'CredentialsProviderError')
    return `no AWS credentials found (${message}): set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role provides them`;
  return message;
}
