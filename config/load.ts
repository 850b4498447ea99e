import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Template } from '@huggingface/jinja';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { sha256Hex } from '../lambda/auth/key-hash.js';
import type { ChatTemplateConfig, DeploymentRouting, GatewayConfig, ImageSettings, ModelConfig } from '../lambda/config/config.js';
import { isEmbeddingDialect } from '../lambda/config/names.js';
import { formatPath } from '../lambda/core/issue-path.js';
import { chatDialects } from '../lambda/dialects/index.js';
import { IMAGE_PRESETS } from '../lambda/images/image-presets.js';
import { HOSTED_PROVIDERS } from './hosted-providers.js';
import { litellmConfigSchema, type TranslationIssue, translateLiteLLM } from './litellm.js';
import { deploymentIds, groupIssues, normaliseRouter } from './model-groups.js';
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

/**
 * What a user should read once when a config loads (how a plain fallback list was read, a literal
 * key used locally): printed by `npm start` and the CDK app, kept apart from the config itself.
 */
export interface Notice {
  message: string;
  /** Only for serving locally (a key used from the config), or for whoever reads the config. */
  local?: boolean;
}
const notices = new WeakMap<GatewayConfig, Notice[]>();
/** The notices of a loaded config; without `local`, only those that hold for a deployment too. */
export const configNotices = (config: GatewayConfig, { local = true } = {}): string[] =>
  (notices.get(config) ?? []).filter((n) => local || !n.local).map((n) => n.message);
const forms = new WeakMap<GatewayConfig, ConfigForm>();
/** Which form the config was written in (error paths differ). */
export const configFormOf = (config: GatewayConfig): ConfigForm => forms.get(config) ?? 'native';

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
  const context: LoadContext = { source, env, baseDir, notices: [] };
  const form = detectForm(doc);
  const config = form === 'litellm' ? fromLiteLLM(doc, context) : fromNative(doc, context);
  notices.set(config, context.notices);
  forms.set(config, form);
  return config;
}

type Path = (string | number)[];

interface Paths {
  /** A model's key (`['defaults', 'temperature']`) where the user wrote it. */
  model: (index: number, ...key: string[]) => Path;
  masterKey: Path;
  router: (key: string) => Path;
  /** The console's settings (`ui` natively, `general_settings.ui` in LiteLLM files). */
  ui: Path;
}

const NATIVE_PATHS: Paths = {
  model: (index, ...key) => ['models', index, ...key],
  masterKey: ['auth', 'master_key'],
  router: (key) => ['router', key],
  ui: ['ui'],
};

/** In a LiteLLM file, most model keys are litellm_params (defaults included); a few are model_info. */
const MODEL_INFO_KEYS: Record<string, string> = { id: 'id', vision: 'supports_vision' };
const LITELLM_PATHS = (router: (key: string) => Path): Paths => ({
  model: (index, ...key) =>
    key[0] && key[0] in MODEL_INFO_KEYS
      ? ['model_list', index, 'model_info', MODEL_INFO_KEYS[key[0]]!]
      : ['model_list', index, 'litellm_params', ...(key[0] === 'defaults' ? key.slice(1) : key)],
  masterKey: ['general_settings', 'master_key'],
  router,
  ui: ['general_settings', 'ui'],
});

interface LoadContext {
  source: string;
  env: NodeJS.ProcessEnv;
  baseDir: string;
  /** Where the models, the master key and router keys sit in the file the user wrote (LiteLLM paths differ). */
  paths?: Paths;
  notices: Notice[];
}

export function detectForm(doc: object): ConfigForm {
  return 'model_list' in doc ? 'litellm' : 'native';
}

function fromLiteLLM(doc: unknown, context: LoadContext): GatewayConfig {
  const parsed = litellmConfigSchema.safeParse(doc);
  if (!parsed.success) throw new ConfigError(context.source, zodIssues(parsed.error));
  const { native, issues, notices, routerPath } = translateLiteLLM(parsed.data, context.env);
  if (issues.length) throw new ConfigError(context.source, issues);
  context.notices.push(...notices.map((message) => ({ message })));
  return fromNative(native, { ...context, paths: LITELLM_PATHS(routerPath) });
}

function fromNative(doc: unknown, context: LoadContext): GatewayConfig {
  const parsed = nativeConfigSchema.safeParse(doc);
  if (!parsed.success) throw new ConfigError(context.source, zodIssues(parsed.error));
  return normalise(parsed.data, context);
}

type ParsedModel = ParsedNativeConfig['models'][number];

function normalise(c: ParsedNativeConfig, context: LoadContext): GatewayConfig {
  const { source, env } = context;
  const paths = context.paths ?? NATIVE_PATHS;
  let masterKeySha256 = c.auth.master_key_sha256?.toLowerCase();
  if (c.auth.master_key) {
    const key = resolveSecretRef(c.auth.master_key, env);
    if (key === undefined)
      throw new ConfigError(source, [{ path: paths.masterKey, message: `environment variable ${c.auth.master_key.slice(11)} is not set` }]);
    masterKeySha256 = sha256Hex(key);
  }
  const issues: TranslationIssue[] = [];
  const ids = deploymentIds(c.models);
  const models = c.models.map((m, i) => {
    const model = normaliseModel(m, ids[i]!, context, (key, message) => issues.push({ path: paths.model(i, key), message }));
    for (const key of unhonouredDefaults(model)) {
      issues.push({
        path: paths.model(i, 'defaults', key),
        message: `the ${model.dialect} dialect cannot honour '${key}' (set drop_params: true to have it dropped)`,
      });
    }
    return model;
  });
  issues.push(...groupIssues(models, paths.model));
  if (c.ui?.enabled && c.auth.disabled) {
    issues.push({
      path: [...paths.ui, 'enabled'],
      message:
        'the console signs in with the master key or an admin key: set a master key (auth.master_key, or general_settings.master_key) or turn it off',
    });
  }
  const routed = normaliseRouter(c.router, models, paths.router);
  issues.push(...routed.issues);
  if (issues.length) throw new ConfigError(source, issues);
  context.notices.push(...routed.notices.map((message) => ({ message })));
  return {
    models,
    router: routed.router,
    usage: {
      ...(c.usage.table && { table: c.usage.table }),
      ...(c.usage.max_budget !== undefined && {
        budget: { maxBudget: c.usage.max_budget, ...(c.usage.budget_duration && { duration: c.usage.budget_duration }) },
      }),
      budgetRefreshSeconds: c.usage.budget_refresh_seconds,
      whenUnavailable: c.usage.when_unavailable,
      failOpenSeconds: c.usage.fail_open_seconds,
      retentionDays: c.usage.retention_days,
    },
    auth: {
      disabled: c.auth.disabled,
      ...(masterKeySha256 && { masterKeySha256 }),
      ...(c.auth.keys_secret && { keysSecret: c.auth.keys_secret }),
      cacheTtlSeconds: c.auth.cache_ttl_seconds,
    },
    ...(c.ui?.enabled && {
      ui: {
        manageKeys: c.ui.manage_keys,
        idleTimeoutMinutes: c.ui.idle_timeout_minutes,
        absoluteTimeoutMinutes: c.ui.absolute_timeout_minutes,
        maxSignInAttempts: c.ui.max_sign_in_attempts,
      },
    }),
    maxBodyBytes: c.gateway.max_body_bytes,
    ...maxConnections(c.gateway.max_connections, env),
    keepaliveSeconds: c.gateway.keepalive_seconds,
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

function normaliseModel(m: ParsedModel, id: string, context: LoadContext, issue: (key: string, message: string) => void): ModelConfig {
  const images = m.vision ? imageSettings(m) : undefined;
  const routing = deploymentRouting(m);
  const common = {
    id,
    name: m.name,
    defaults: m.defaults,
    vision: m.vision,
    ...(images && { images }),
    ...(m.drop_params && { dropParams: true }),
    ...(m.reasoning !== undefined && { reasoning: m.reasoning }),
    ...(m.fim && { fim: m.fim }),
    ...(routing && { routing }),
    ...(m.prices && { prices: { inputPerToken: m.prices.input_per_token ?? 0, outputPerToken: m.prices.output_per_token ?? 0 } }),
  };
  if (m.provider === 'openai') {
    return {
      ...common,
      provider: 'openai',
      dialect: 'openai-chat',
      baseUrl: m.base_url,
      servedModelName: m.model,
      ...(m.api_key_secret && { apiKeySecret: m.api_key_secret }),
      ...upstreamKey(m, context, (message) => issue('api_key', message)),
      ...(m.hosted && { hosted: m.hosted }),
    };
  }
  const chatTemplate = m.chat_template ? loadTemplate(m.chat_template, context, (message) => issue('chat_template', message)) : undefined;
  return {
    ...common,
    provider: 'sagemaker',
    endpoint: m.endpoint,
    dialect: m.dialect,
    ...(m.region && { region: m.region }),
    ...(m.inference_component && { inferenceComponent: m.inference_component }),
    ...(m.target_variant && { targetVariant: m.target_variant }),
    ...(m.custom_attributes && { customAttributes: m.custom_attributes }),
    ...(m.route === 'openai' && { route: 'openai' as const }),
    ...(m.route_auth === 'sigv4' && { routeAuth: 'sigv4' as const }),
    ...(m.role_arn && {
      assumeRole: {
        roleArn: m.role_arn,
        ...(m.session_name && { sessionName: m.session_name }),
        ...(m.role_duration_seconds && { durationSeconds: m.role_duration_seconds }),
      },
    }),
    ...(m.served_model_name && { servedModelName: m.served_model_name }),
    ...(m.max_batch && { maxBatch: m.max_batch }),
    ...(chatTemplate && { chatTemplate }),
  };
}

/** The deployment's routing settings in the router's units (LiteLLM gives seconds), or undefined when it has none. */
function deploymentRouting(m: ParsedModel): DeploymentRouting | undefined {
  const ms = (seconds: number | undefined) => (seconds === undefined ? undefined : Math.round(seconds * 1000));
  const routing: DeploymentRouting = {
    weight: m.weight,
    rpm: m.rpm,
    tpm: m.tpm,
    retries: m.num_retries ?? m.max_retries,
    timeoutMs: ms(m.timeout ?? m.request_timeout),
    streamTimeoutMs: ms(m.stream_timeout),
    cooldownSeconds: m.cooldown_time,
  };
  const set = Object.entries(routing).filter(([, value]) => value !== undefined);
  return set.length ? (Object.fromEntries(set) as DeploymentRouting) : undefined;
}

/**
 * An upstream's key for local serving: the config's own (literal, with a notice, or `os.environ/NAME`),
 * else for a hosted provider the variable LiteLLM reads (OPENAI_API_KEY...). The CDK app never deploys
 * a key from here: it moves it to Secrets Manager or refuses (config/deploy-keys.ts).
 */
function upstreamKey(m: Extract<ParsedModel, { provider: 'openai' }>, context: LoadContext, issue: (message: string) => void): { apiKey?: string } {
  if (m.api_key_secret) {
    if (m.api_key) issue('give api_key or api_key_secret, not both');
    return {};
  }
  if (m.api_key) {
    const key = resolveSecretRef(m.api_key, context.env);
    if (key === undefined) issue(`environment variable ${m.api_key.slice(11)} is not set`);
    else if (!m.api_key.startsWith('os.environ/')) {
      context.notices.push({
        local: true,
        message: `model '${m.name}': its API key is written in the config; used as is when serving locally, but \`cdk deploy\` refuses it until it is stored in Secrets Manager (npx sagegate upstream-keys set ...).`,
      });
    }
    return key === undefined ? {} : { apiKey: key };
  }
  if (!m.hosted) return {};
  const variable = HOSTED_PROVIDERS[m.hosted].keyEnv;
  const key = context.env[variable];
  if (!key)
    context.notices.push({ local: true, message: `model '${m.name}': ${variable} is not set, so its requests go to ${m.hosted} without a key.` });
  return key ? { apiKey: key } : {};
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
/** `gateway.max_connections`, else SAGEGATE_MAX_CONNECTIONS (how a LiteLLM-form config sets it), else the gateway's default. */
function maxConnections(configured: number | undefined, env: NodeJS.ProcessEnv): { maxConnections?: number } {
  if (configured !== undefined) return { maxConnections: configured };
  const fromEnv = Number(env.SAGEGATE_MAX_CONNECTIONS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? { maxConnections: fromEnv } : {};
}

function resolveSecretRef(value: string, env: NodeJS.ProcessEnv): string | undefined {
  return value.startsWith('os.environ/') ? env[value.slice(11)] || undefined : value;
}

function zodIssues(error: z.ZodError): TranslationIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      return {
        path,
        message: `sagegate does not support ${issue.keys.map((k) => `'${k}'`).join(', ')} here; remove ${issue.keys.length > 1 ? 'them' : 'it'} (docs/configuration.md lists every key)`,
      };
    }
    return { path, message: issue.message };
  });
}
