import type { GatewayConfig, ModelConfig } from '../lambda/config/config.js';
import { ConfigError, configFormOf } from './load.js';

/**
 * Upstream API keys never go into a CloudFormation template or the bundle. A key the config holds
 * (literal, `os.environ/NAME`, or a hosted provider's default variable) is deployed only once it has
 * been stored in Secrets Manager under a name derived from the stack and the deployment, which
 * `npx sagegate upstream-keys set` writes; the same config then deploys, reading the stored secret.
 */

/** The secret a deployment's key is stored under: `sagegate/<stack>/upstream/<deployment id>`. */
export function upstreamKeySecretName(stackName: string, deploymentId: string): string {
  return `sagegate/${stackName}/upstream/${deploymentId.replace(/[^\w/+=.@-]/g, '-')}`;
}

/** Whether a deployment's key would have to come from the config (it names no secret of its own). */
export const keyFromConfig = (model: ModelConfig): boolean =>
  model.provider === 'openai' && !model.apiKeySecret && (model.apiKey !== undefined || model.hosted !== undefined);

/**
 * The config as it may be deployed: each key from the config replaced by its stored secret, or a
 * ConfigError naming the deployment and the exact command that stores its key.
 */
export async function withStoredKeys(
  config: GatewayConfig,
  source: string,
  /** The stored secret's ARN, or undefined when there is none; throws (with a reason an operator can act on) when it cannot tell. */
  storedSecret: (name: string) => Promise<string | undefined>,
): Promise<GatewayConfig> {
  const issues: ConfigError['issues'] = [];
  const models = await Promise.all(
    config.models.map(async (model, i) => {
      if (!keyFromConfig(model)) return model;
      const name = upstreamKeySecretName(config.deploy.stackName, model.id);
      let arn: string | undefined;
      let unchecked: string | undefined;
      try {
        arn = await storedSecret(name);
      } catch (error) {
        unchecked = (error as Error).message;
      }
      if (arn) {
        const { apiKey: _key, ...rest } = model as Extract<ModelConfig, { provider: 'openai' }>;
        return { ...rest, apiKeySecret: arn };
      }
      // Without the lookup (no credentials, no region, no network) the key may be stored already: say so, and still how to store it.
      const checked = unchecked ? `; whether it is stored already (as ${name}) could not be checked: ${unchecked}` : '';
      issues.push({
        path: configFormOf(config) === 'litellm' ? ['model_list', i, 'litellm_params', 'api_key'] : ['models', i, 'api_key'],
        message: `the API key of '${model.id}' cannot be deployed from the config file${checked}. Store it once in Secrets Manager, then deploy the same config:\n      npx sagegate upstream-keys set ${model.id} --config ${source}   (reads the key from standard input)`,
      });
      return model;
    }),
  );
  if (issues.length) throw new ConfigError(source, issues);
  return { ...config, models };
}
