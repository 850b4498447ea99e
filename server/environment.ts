import { loadConfigFile, parseConfig } from '../config/load.js';
import type { GatewayConfig } from '../lambda/config/config.js';
import { StartupError } from './startup-error.js';

type Env = Record<string, string | undefined>;

/**
 * The config the environment names: a file (`--config`, `SAGEGATE_CONFIG_FILE`), the config itself
 * (`SAGEGATE_CONFIG_YAML`), or one SageMaker endpoint as the ECS/Flask service it replaces was given it
 * (`SAGEMAKER_ENDPOINT_NAME`: one chat model of that name, in the OpenAI chat format). Undefined when
 * none is named.
 */
export async function configFromEnvironment(file: string | undefined, env: Env): Promise<GatewayConfig | undefined> {
  if (file) return loadConfigFile(file, env);
  if (env.SAGEGATE_CONFIG_YAML) return parseConfig(env.SAGEGATE_CONFIG_YAML, 'SAGEGATE_CONFIG_YAML', env);
  const endpoint = env.SAGEMAKER_ENDPOINT_NAME;
  if (endpoint) {
    const model = { name: endpoint, endpoint, dialect: 'openai-chat', ...(env.AWS_REGION && { region: env.AWS_REGION }) };
    return parseConfig(JSON.stringify({ models: [model] }), 'SAGEMAKER_ENDPOINT_NAME', env);
  }
  return undefined;
}

/**
 * What the environment adds to a config: the key store secret (`SAGEGATE_KEYS_SECRET`, as the stack
 * names it, or `AUTH_SECRET_ID`, as the ECS/Flask service did) and the key cache's lifetime
 * (`API_KEY_CACHE_TTL`, seconds, that service's variable for `auth.cache_ttl_seconds`).
 */
export function withEnvironment(config: GatewayConfig, env: Env): GatewayConfig {
  const keysSecret = env.SAGEGATE_KEYS_SECRET || env.AUTH_SECRET_ID;
  if (keysSecret) config.auth = { ...config.auth, keysSecret, disabled: false };
  const ttl = env.API_KEY_CACHE_TTL;
  if (ttl) {
    const seconds = Number(ttl);
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > 86_400)
      throw new StartupError(`API_KEY_CACHE_TTL: '${ttl}' is not a number of seconds from 0 to 86400 (it sets auth.cache_ttl_seconds)`);
    config.auth = { ...config.auth, cacheTtlSeconds: seconds };
  }
  return config;
}
