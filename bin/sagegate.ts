/**
 * The CDK app. The config file comes from CDK context (`-c config=path`, default `sagegate.yaml`):
 *   npx cdk deploy -c config=litellm_config.yaml
 * The same file the handler serves locally with `npm start -- --config`.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { awsFailure } from '../cli/aws-failure.js';
import { ConfigError, configNotices, loadConfigFile } from '../config/load.js';
import { keyFromConfig, withStoredKeys } from '../config/upstream-keys.js';
import { AWS_CLIENTS, awsClientOptions } from '../lambda/aws/client-policy.js';
import { SageGateStack } from '../lib/sagegate-stack.js';

const app = new App();
// cdk-nag's AWS Solutions rules run on every synth; each acknowledgement is justified where it is made.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
const configFile: string = app.node.tryGetContext('config') ?? 'sagegate.yaml';

try {
  const loaded = await loadConfigFile(configFile);
  for (const notice of configNotices(loaded, { local: false })) console.warn(`notice: ${notice}`);
  // Keys in the config are deployed only from Secrets Manager (stored there by `npx sagegate upstream-keys set`).
  const config = loaded.models.some(keyFromConfig) ? await withStoredKeys(loaded, configFile, await storedSecretLookup()) : loaded;
  new SageGateStack(app, config.deploy.stackName, {
    config,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `cannot read config ${configFile}: ${(error as Error).message}`);
  process.exit(1);
}

/** A stored secret's ARN by name, through Secrets Manager (only loaded when a config holds a key). */
async function storedSecretLookup(): Promise<(name: string) => Promise<string | undefined>> {
  const { SecretsManagerClient, DescribeSecretCommand } = await import('@aws-sdk/client-secrets-manager');
  const region = process.env.CDK_DEFAULT_REGION ?? process.env.AWS_REGION;
  const client = new SecretsManagerClient({ ...(region && { region }), ...awsClientOptions(AWS_CLIENTS.tools) });
  return async (name) => {
    if (!region) throw new Error("no AWS region: set AWS_REGION, or a region in the profile's config");
    try {
      return (await client.send(new DescribeSecretCommand({ SecretId: name }))).ARN;
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return undefined;
      throw new Error(awsFailure(error));
    }
  };
}
