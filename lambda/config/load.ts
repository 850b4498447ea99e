import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { sha256Hex } from '../auth/key-hash.js';
import { formatPath } from '../openai/chat-request.js';
import { litellmConfigSchema, translateLiteLLM, type TranslationIssue } from './litellm.js';
import { nativeConfigSchema, type ParsedNativeConfig } from './native-schema.js';
import type { GatewayConfig } from './types.js';

/** A config mistake, with the exact path of each problem: `models[1].endpoint: not a valid ...`. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly issues: TranslationIssue[],
  ) {
    super(`Invalid config ${source}:\n${issues.map((i) => `  - ${formatPath(i.path) || '(top level)'}: ${i.message}`).join('\n')}`);
  }
}

export type ConfigForm = 'native' | 'litellm';

export async function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<GatewayConfig> {
  return parseConfig(await readFile(file, 'utf8'), file, env);
}

/** YAML (or JSON) text in either form, validated and normalised. */
export function parseConfig(text: string, source = 'config', env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new ConfigError(source, [{ path: [], message: `not valid YAML: ${(error as Error).message}` }]);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new ConfigError(source, [{ path: [], message: 'expected a mapping with `models` (native form) or `model_list` (LiteLLM form)' }]);
  }
  return detectForm(doc) === 'litellm' ? fromLiteLLM(doc, source, env) : fromNative(doc, source, env);
}

export function detectForm(doc: object): ConfigForm {
  return 'model_list' in doc ? 'litellm' : 'native';
}

function fromLiteLLM(doc: unknown, source: string, env: NodeJS.ProcessEnv): GatewayConfig {
  const parsed = litellmConfigSchema.safeParse(doc);
  if (!parsed.success) throw new ConfigError(source, zodIssues(parsed.error));
  const { native, issues } = translateLiteLLM(parsed.data);
  if (issues.length) throw new ConfigError(source, issues);
  const masterKeyPath = ['general_settings', 'master_key'];
  return fromNative(native, source, env, masterKeyPath);
}

function fromNative(doc: unknown, source: string, env: NodeJS.ProcessEnv, masterKeyPath = ['auth', 'master_key']): GatewayConfig {
  const parsed = nativeConfigSchema.safeParse(doc);
  if (!parsed.success) throw new ConfigError(source, zodIssues(parsed.error));
  return normalise(parsed.data, source, env, masterKeyPath);
}

function normalise(c: ParsedNativeConfig, source: string, env: NodeJS.ProcessEnv, masterKeyPath: string[]): GatewayConfig {
  let masterKeySha256 = c.auth.master_key_sha256?.toLowerCase();
  if (c.auth.master_key) {
    const key = resolveSecretRef(c.auth.master_key, env);
    if (key === undefined) throw new ConfigError(source, [{ path: masterKeyPath, message: `environment variable ${c.auth.master_key.slice(11)} is not set` }]);
    masterKeySha256 = sha256Hex(key);
  }
  return {
    models: c.models.map((m) => ({
      name: m.name,
      provider: m.provider,
      endpoint: m.endpoint,
      dialect: m.dialect,
      ...(m.region && { region: m.region }),
      ...(m.inference_component && { inferenceComponent: m.inference_component }),
      ...(m.target_variant && { targetVariant: m.target_variant }),
      ...(m.custom_attributes && { customAttributes: m.custom_attributes }),
      ...(m.served_model_name && { servedModelName: m.served_model_name }),
      defaults: m.defaults,
      vision: m.vision,
    })),
    auth: {
      disabled: c.auth.disabled,
      ...(masterKeySha256 && { masterKeySha256 }),
      ...(c.auth.keys_secret && { keysSecret: c.auth.keys_secret }),
      cacheTtlSeconds: c.auth.cache_ttl_seconds,
    },
    maxBodyBytes: c.gateway.max_body_bytes,
    deploy: {
      stackName: c.deploy.stack_name,
      memoryMb: c.deploy.memory_mb,
      timeoutSeconds: c.deploy.timeout_seconds,
      logRetentionDays: c.deploy.log_retention_days,
      ...(c.deploy.cors && { cors: { allowOrigins: c.deploy.cors.allow_origins } }),
    },
  };
}

/** `os.environ/NAME` (LiteLLM's convention) reads the environment; anything else is the literal value. */
function resolveSecretRef(value: string, env: NodeJS.ProcessEnv): string | undefined {
  return value.startsWith('os.environ/') ? env[value.slice(11)] || undefined : value;
}

function zodIssues(error: z.ZodError): TranslationIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      return { path, message: `sagegate does not support ${issue.keys.map((k) => `'${k}'`).join(', ')} here; remove ${issue.keys.length > 1 ? 'them' : 'it'} (see the README's config reference)` };
    }
    return { path, message: issue.message };
  });
}
