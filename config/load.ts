import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Template } from '@huggingface/jinja';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { sha256Hex } from '../lambda/auth/key-hash.js';
import type { ChatTemplateConfig, GatewayConfig, ImageSettings, ModelConfig } from '../lambda/core/config.js';
import { formatPath } from '../lambda/core/issue-path.js';
import { isEmbeddingDialect } from '../lambda/core/names.js';
import { chatDialects } from '../lambda/dialects/index.js';
import { IMAGE_PRESETS } from '../lambda/images/image-presets.js';
import { litellmConfigSchema, type TranslationIssue, translateLiteLLM } from './litellm.js';
import { presetForNames } from './model-names.js';
import { nativeConfigSchema, type ParsedNativeConfig } from './native-schema.js';

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
  return parseConfig(await readFile(file, 'utf8'), file, env, dirname(resolve(file)));
}

/** YAML (or JSON) text in either form, validated and normalised; template files are read relative to `baseDir`. */
export function parseConfig(text: string, source = 'config', env: NodeJS.ProcessEnv = process.env, baseDir = process.cwd()): GatewayConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new ConfigError(source, [{ path: [], message: `not valid YAML: ${(error as Error).message}` }]);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new ConfigError(source, [{ path: [], message: 'expected a mapping with `models` (native form) or `model_list` (LiteLLM form)' }]);
  }
  const context: LoadContext = { source, env, baseDir };
  return detectForm(doc) === 'litellm' ? fromLiteLLM(doc, context) : fromNative(doc, context);
}

interface LoadContext {
  source: string;
  env: NodeJS.ProcessEnv;
  baseDir: string;
  /** Where the models and the master key sit in the file the user wrote (LiteLLM paths differ). */
  paths?: { models: string; masterKey: (string | number)[] };
}

export function detectForm(doc: object): ConfigForm {
  return 'model_list' in doc ? 'litellm' : 'native';
}

function fromLiteLLM(doc: unknown, context: LoadContext): GatewayConfig {
  const parsed = litellmConfigSchema.safeParse(doc);
  if (!parsed.success) throw new ConfigError(context.source, zodIssues(parsed.error));
  const { native, issues } = translateLiteLLM(parsed.data);
  if (issues.length) throw new ConfigError(context.source, issues);
  return fromNative(native, { ...context, paths: { models: 'model_list', masterKey: ['general_settings', 'master_key'] } });
}

function fromNative(doc: unknown, context: LoadContext): GatewayConfig {
  const parsed = nativeConfigSchema.safeParse(doc);
  if (!parsed.success) throw new ConfigError(context.source, zodIssues(parsed.error));
  return normalise(parsed.data, context);
}

type ParsedModel = ParsedNativeConfig['models'][number];

function normalise(c: ParsedNativeConfig, context: LoadContext): GatewayConfig {
  const { source, env } = context;
  const paths = context.paths ?? { models: 'models', masterKey: ['auth', 'master_key'] };
  let masterKeySha256 = c.auth.master_key_sha256?.toLowerCase();
  if (c.auth.master_key) {
    const key = resolveSecretRef(c.auth.master_key, env);
    if (key === undefined)
      throw new ConfigError(source, [{ path: paths.masterKey, message: `environment variable ${c.auth.master_key.slice(11)} is not set` }]);
    masterKeySha256 = sha256Hex(key);
  }
  const issues: TranslationIssue[] = [];
  const models = c.models.map((m, i) => {
    const model = normaliseModel(m, context, (message) => issues.push({ path: [paths.models, i, 'chat_template'], message }));
    for (const key of unhonouredDefaults(model)) {
      issues.push({
        path: [paths.models, i, 'defaults', key],
        message: `the ${model.dialect} dialect cannot honour '${key}' (set drop_params: true to have it dropped)`,
      });
    }
    return model;
  });
  if (issues.length) throw new ConfigError(source, issues);
  return {
    models,
    usage: { ...(c.usage.table && { table: c.usage.table }) },
    auth: {
      disabled: c.auth.disabled,
      ...(masterKeySha256 && { masterKeySha256 }),
      ...(c.auth.keys_secret && { keysSecret: c.auth.keys_secret }),
      cacheTtlSeconds: c.auth.cache_ttl_seconds,
    },
    maxBodyBytes: c.gateway.max_body_bytes,
    imageFetch: {
      allowHosts: c.gateway.image_fetch.allow_hosts,
      denyHosts: c.gateway.image_fetch.deny_hosts,
      timeoutMs: c.gateway.image_fetch.timeout_ms,
      maxBytes: c.gateway.image_fetch.max_bytes,
      maxRedirects: c.gateway.image_fetch.max_redirects,
    },
    deploy: {
      stackName: c.deploy.stack_name,
      memoryMb: c.deploy.memory_mb,
      timeoutSeconds: c.deploy.timeout_seconds,
      logRetentionDays: c.deploy.log_retention_days,
      functionUrlAuth: c.deploy.function_url_auth,
      tracing: c.deploy.tracing,
      ...(c.deploy.reserved_concurrency && { reservedConcurrency: c.deploy.reserved_concurrency }),
      ...(c.deploy.alarm_topic_arn && { alarmTopicArn: c.deploy.alarm_topic_arn }),
      ...(c.deploy.cors && { cors: { allowOrigins: c.deploy.cors.allow_origins } }),
      ...(c.deploy.vpc && {
        vpc: { vpcId: c.deploy.vpc.vpc_id, subnetIds: c.deploy.vpc.subnet_ids, securityGroupIds: c.deploy.vpc.security_group_ids },
      }),
    },
  };
}

function normaliseModel(m: ParsedModel, context: LoadContext, templateIssue: (message: string) => void): ModelConfig {
  const images = m.vision ? imageSettings(m) : undefined;
  const common = {
    id: m.name,
    name: m.name,
    defaults: m.defaults,
    vision: m.vision,
    ...(images && { images }),
    ...(m.drop_params && { dropParams: true }),
    ...(m.reasoning !== undefined && { reasoning: m.reasoning }),
    ...(m.fim && { fim: m.fim }),
  };
  if (m.provider === 'openai') {
    return {
      ...common,
      provider: 'openai',
      dialect: 'openai-chat',
      baseUrl: m.base_url,
      servedModelName: m.model,
      ...(m.api_key_secret && { apiKeySecret: m.api_key_secret }),
    };
  }
  const chatTemplate = m.chat_template ? loadTemplate(m.chat_template, context, templateIssue) : undefined;
  return {
    ...common,
    provider: 'sagemaker',
    endpoint: m.endpoint,
    dialect: m.dialect,
    ...(m.region && { region: m.region }),
    ...(m.inference_component && { inferenceComponent: m.inference_component }),
    ...(m.target_variant && { targetVariant: m.target_variant }),
    ...(m.custom_attributes && { customAttributes: m.custom_attributes }),
    ...(m.served_model_name && { servedModelName: m.served_model_name }),
    ...(m.max_batch && { maxBatch: m.max_batch }),
    ...(chatTemplate && { chatTemplate }),
  };
}

/** The preset (named, or recognised from the model's names) with the model's overrides. */
function imageSettings(m: ParsedModel): ImageSettings {
  const o = m.images ?? {};
  const names = m.provider === 'openai' ? [m.name, m.model] : [m.name, m.endpoint, m.served_model_name];
  const preset = IMAGE_PRESETS[o.preset ?? presetForNames(...names)];
  return {
    minSide: o.min_side ?? preset.minSide,
    maxPixels: o.max_pixels ?? preset.maxPixels,
    maxAspectRatio: o.max_aspect_ratio ?? preset.maxAspectRatio,
    maxImages: o.max_images ?? preset.maxImages,
    format: o.format ?? preset.format,
    quality: o.quality ?? preset.quality,
  };
}

/** A template is read and compiled here, so a typo fails at load time with its path, not on a request. */
function loadTemplate(
  spec: NonNullable<Extract<ParsedModel, { provider: 'sagemaker' }>['chat_template']>,
  context: LoadContext,
  issue: (message: string) => void,
): ChatTemplateConfig | undefined {
  if (typeof spec === 'string') return { builtin: spec };
  let source: string;
  if ('file' in spec) {
    try {
      source = readFileSync(resolve(context.baseDir, spec.file), 'utf8');
    } catch (error) {
      issue(`cannot read template file ${spec.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      return undefined;
    }
  } else {
    source = spec.inline;
  }
  try {
    new Template(source);
  } catch (error) {
    issue(`the template does not compile: ${(error as Error).message}`);
    return undefined;
  }
  return {
    source,
    ...(spec.bos_token !== undefined && { bosToken: spec.bos_token }),
    ...(spec.eos_token !== undefined && { eosToken: spec.eos_token }),
    ...(spec.stop && { stop: spec.stop }),
  };
}

/** Configured defaults a prompt-string container cannot honour: refused at load, not dropped on every request. */
function unhonouredDefaults(model: ModelConfig): string[] {
  if (model.dropParams || isEmbeddingDialect(model.dialect)) return [];
  const honours = chatDialects[model.dialect](model).honours;
  return honours ? Object.keys(model.defaults).filter((key) => !honours.has(key)) : [];
}

/** `os.environ/NAME` (LiteLLM's convention) reads the environment; anything else is the literal value. */
function resolveSecretRef(value: string, env: NodeJS.ProcessEnv): string | undefined {
  return value.startsWith('os.environ/') ? env[value.slice(11)] || undefined : value;
}

function zodIssues(error: z.ZodError): TranslationIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      return {
        path,
        message: `sagegate does not support ${issue.keys.map((k) => `'${k}'`).join(', ')} here; remove ${issue.keys.length > 1 ? 'them' : 'it'} (see the README's config reference)`,
      };
    }
    return { path, message: issue.message };
  });
}
