import { parseArgs } from 'node:util';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError, loadConfigFile } from '../../config/load.js';
import { keyFromConfig } from '../../config/upstream-keys.js';
import { AWS_CLIENTS, awsClientOptions } from '../../lambda/aws/client-policy.js';
import { awsFailure } from '../aws-failure.js';
import type { Io } from '../io.js';
import { UsageError } from '../keys/durations.js';
import { readKey, storeUpstreamKey } from './upstream-key-commands.js';

const USAGE = `usage: sagegate upstream-keys set <deployment> [--config <file> | --stack <name>] [--region <region>]
  reads the key from standard input, e.g.  printenv OPENAI_API_KEY | npx sagegate upstream-keys set gpt-4 --config config.yaml`;

/**
 * `npx sagegate upstream-keys set <deployment>`: stores an OpenAI-compatible upstream's API key in
 * Secrets Manager, where `cdk deploy` finds it for a config that holds the key (literal or
 * `os.environ/`): the same config then deploys, and the function reads the stored secret.
 */
export async function upstreamKeysMain(argv: string[], io: Io, stdin: AsyncIterable<Buffer | string>): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        stack: { type: 'string' },
        region: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [command, deployment] = positionals;
    if (values.help || command !== 'set' || !deployment) {
      io.err(USAGE);
      return values.help ? 0 : 2;
    }
    let stack = values.stack ?? 'SageGate';
    if (values.config) {
      const config = await loadConfigFile(values.config);
      const model = config.models.find((m) => m.id === deployment);
      if (!model)
        throw new UsageError(`${values.config} has no deployment '${deployment}' (deployments: ${config.models.map((m) => m.id).join(', ')})`);
      if (model.provider !== 'openai')
        throw new UsageError(`'${deployment}' is a SageMaker model: the gateway signs for it with its IAM role, no key needed`);
      if (!keyFromConfig(model)) io.err(`note: '${deployment}' names its own secret (api_key_secret); the CDK app will keep using that one`);
      stack = config.deploy.stackName;
    }
    const key = await readKey(stdin);
    if (!key) throw new UsageError('no key on standard input (pipe it in, or paste it and end with Ctrl-D)');
    const client = new SecretsManagerClient({ ...(values.region && { region: values.region }), ...awsClientOptions(AWS_CLIENTS.tools) });
    const arn = await storeUpstreamKey(client, stack, deployment, key);
    io.err(`stored the API key of '${deployment}' in ${arn}`);
    io.err('`cdk deploy` now deploys the config as it is, reading the key from that secret.');
    return 0;
  } catch (error) {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    io.err(`sagegate: ${error instanceof ConfigError ? error.message : awsFailure(error)}`);
    return usage ? 2 : 1;
  }
}
