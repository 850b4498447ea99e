import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { AWS_CLIENTS, awsClientOptions } from '../../lambda/aws/client-policy.js';
import { UsageError } from './durations.js';

/** The outputs the stack publishes for the CLI (see lib/sagegate-stack.ts). */
export const SECRET_OUTPUT = 'ApiKeysSecretArn';
export const TABLE_OUTPUT = 'UsageTableName';

/** `--secret <arn|name>`, or the secret named by the stack's output (`--stack`, default SageGate). */
export async function findSecret(options: { secret?: string; stack?: string; region?: string }): Promise<string> {
  if (options.secret) return options.secret;
  return stackOutput(options, SECRET_OUTPUT, '--secret <arn>');
}

/** `--table <name>`, or the usage table named by the stack's output. */
export async function findTable(options: { table?: string; stack?: string; region?: string }): Promise<string> {
  if (options.table) return options.table;
  return stackOutput(options, TABLE_OUTPUT, '--table <name>');
}

async function stackOutput(options: { stack?: string; region?: string }, key: string, instead: string): Promise<string> {
  const stack = options.stack ?? 'SageGate';
  const client = new CloudFormationClient({ ...(options.region && { region: options.region }), ...awsClientOptions(AWS_CLIENTS.tools) });
  let outputs: { OutputKey?: string; OutputValue?: string }[];
  try {
    outputs = (await client.send(new DescribeStacksCommand({ StackName: stack }))).Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    throw new UsageError(`cannot read stack ${stack} (${(error as Error).message}); pass ${instead} or --stack <name>`);
  }
  const value = outputs.find((o) => o.OutputKey === key)?.OutputValue;
  if (!value) throw new UsageError(`stack ${stack} has no ${key} output; pass ${instead}`);
  return value;
}
