import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { UsageError } from './durations.js';

/** The output the stack publishes for the CLI (see lib/sagegate-gateway.ts). */
export const SECRET_OUTPUT = 'ApiKeysSecretArn';

/** `--secret <arn|name>`, or the secret named by the stack's output (`--stack`, default SageGate). */
export async function findSecret(options: { secret?: string; stack?: string; region?: string }): Promise<string> {
  if (options.secret) return options.secret;
  const stack = options.stack ?? 'SageGate';
  const client = new CloudFormationClient(options.region ? { region: options.region } : {});
  let outputs: { OutputKey?: string; OutputValue?: string }[];
  try {
    outputs = (await client.send(new DescribeStacksCommand({ StackName: stack }))).Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    throw new UsageError(`cannot read stack ${stack} (${(error as Error).message}); pass --secret <arn> or --stack <name>`);
  }
  const arn = outputs.find((o) => o.OutputKey === SECRET_OUTPUT)?.OutputValue;
  if (!arn) throw new UsageError(`stack ${stack} has no ${SECRET_OUTPUT} output; pass --secret <arn>`);
  return arn;
}
