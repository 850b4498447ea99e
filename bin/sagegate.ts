/**
 * The CDK app. The config file comes from CDK context (`-c config=path`, default `sagegate.yaml`):
 *   npx cdk deploy -c config=litellm_config.yaml
 * The same file the handler serves locally with `npm start -- --config`.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError, loadConfigFile } from '../config/load.js';
import { SageGateStack } from '../lib/sagegate-stack.js';

const app = new App();
// cdk-nag's AWS Solutions rules run on every synth; each acknowledgement is justified where it is made.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
const configFile: string = app.node.tryGetContext('config') ?? 'sagegate.yaml';

try {
  const config = await loadConfigFile(configFile);
  new SageGateStack(app, config.deploy.stackName, {
    config,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `cannot read config ${configFile}: ${(error as Error).message}`);
  process.exit(1);
}
