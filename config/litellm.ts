import { z } from 'zod';
import { upstreamOf } from './hosted-providers.js';
import { templateForModelId } from './model-names.js';
import { budgetDurationSchema, budgetSchema, chatTemplateSchema, type NativeConfig, routeIssues, sageMakerModelSchema } from './native-schema.js';
import { deploymentRoutingFields, fallbacksSchema, type RouterSettings, routerSettingsFields } from './router-schema.js';
import { uiSchema } from './ui-schema.js';

/** LiteLLM's sign-in for its UI is a username and password; sagegate's console signs in with keys. */
const SIGN_IN_WITH_KEYS =
  "sagegate's console signs in with the master key or an admin key (npx sagegate keys create --admin), not a username and password: remove it";

/**
 * LiteLLM proxy configs (`model_list`, as teams migrating from LiteLLM have them), translated to the native form. Only what
 * sagegate really does is accepted; anything else is refused with its path, never silently ignored.
 */
const fields = sageMakerModelSchema.shape;
const defaultsShape = fields.defaults.unwrap().shape;
/** LiteLLM's custom pricing, USD per token (in model_info or litellm_params). */
const costPerToken = z.number({ error: 'a price is a number of US dollars per token' }).min(0, 'a price cannot be negative').finite();
const pricing = { input_cost_per_token: costPerToken.optional(), output_cost_per_token: costPerToken.optional() };

const litellmModel = z.strictObject({
  model_name: z.string().min(1),
  litellm_params: z.strictObject({
    model: z.string().min(1),
    aws_region_name: fields.region,
    model_id: z.string().min(1).optional(),
    hf_model_name: z.string().min(1).optional(),
    api_base: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
    api_key: z.string().optional(),
    // Assume this role for the model's calls (LiteLLM's cross-account keys: the role's ARN and the session name).
    aws_role_name: fields.role_arn,
    aws_session_name: fields.session_name,
    // sagegate extensions: the dialect of a SageMaker container, its chat template, an upstream key's
    // secret, an embedding container's batch limit.
    dialect: fields.dialect.unwrap().optional(),
    route: fields.route,
    route_auth: fields.route_auth,
    max_batch: fields.max_batch,
    chat_template: chatTemplateSchema.optional(),
    api_key_secret: z.string().min(1).optional(),
    drop_params: z.boolean().optional(),
    fim: fields.fim,
    ...deploymentRoutingFields,
    ...pricing,
    ...defaultsShape,
  }),
  model_info: z
    .strictObject({
      supports_vision: z.boolean().optional(),
      /** LiteLLM's flag for thinking models: here, whether `<think>` is split into reasoning_content. */
      supports_reasoning: z.boolean().optional(),
      mode: z.enum(['chat', 'embedding'], { error: "only 'chat' and 'embedding' models are supported" }).optional(),
      id: fields.id,
      description: z.string().optional(),
      base_model: z.string().optional(),
      ...pricing,
    })
    .optional(),
});

/** The router keys LiteLLM also reads from `litellm_settings` (`request_timeout` is its `timeout` there). */
const routerKeysInLitellmSettings = {
  num_retries: routerSettingsFields.num_retries,
  request_timeout: routerSettingsFields.timeout,
  allowed_fails: routerSettingsFields.allowed_fails,
  cooldown_time: routerSettingsFields.cooldown_time,
  fallbacks: fallbacksSchema.optional(),
  context_window_fallbacks: fallbacksSchema.optional(),
  default_fallbacks: routerSettingsFields.default_fallbacks,
  max_fallbacks: routerSettingsFields.max_fallbacks,
};

export const litellmConfigSchema = z.strictObject({
  model_list: z.array(litellmModel).min(1, 'configure at least one model'),
  router_settings: z.strictObject(routerSettingsFields).optional(),
  general_settings: z
    .strictObject({
      master_key: z.string().min(1).optional(),
      /** Some LiteLLM configs write the gateway's budget here ("monthly budget, USD"); LiteLLM's own place is litellm_settings. */
      max_budget: budgetSchema.optional(),
      /** A sagegate extension (LiteLLM has no such key): SSE pings while a started stream's upstream is silent. */
      keepalive_seconds: z.number().int().min(0).max(300).optional(),
      /** A sagegate extension: the admin console at /ui, as the native form's `ui` block. */
      ui: uiSchema.optional(),
      /** LiteLLM's: who may use the UI. sagegate's console is for admins only. */
      ui_access_mode: z
        .unknown()
        .refine((mode) => mode === 'admin_only', {
          error:
            "sagegate's console admits admins only (the master key and admin keys); write ui_access_mode: admin_only or remove it (single sign-on is not supported)",
        })
        .optional(),
      ui_username: z.never({ error: SIGN_IN_WITH_KEYS }).optional(),
      ui_password: z.never({ error: SIGN_IN_WITH_KEYS }).optional(),
    })
    .optional(),
  litellm_settings: z
    .strictObject({
      /** Drop parameters a model cannot honour instead of refusing them, for every model. */
      drop_params: z.boolean().optional(),
      ...routerKeysInLitellmSettings,
      /** The whole proxy's budget, USD per budget_duration (a calendar month when absent). */
      max_budget: budgetSchema.optional(),
      budget_duration: budgetDurationSchema.optional(),
    })
    .optional(),
});

type LiteLLMConfig = z.output<typeof litellmConfigSchema>;
type LiteLLMModel = LiteLLMConfig['model_list'][number];

export interface TranslationIssue {
  path: (string | number)[];
  message: string;
}

export interface Translation {
  native: NativeConfig;
  issues: TranslationIssue[];
  notices: string[];
  /** Where a native router key sits in the LiteLLM file (router_settings wins over litellm_settings, as in LiteLLM). */
  routerPath(key: string): (string | number)[];
}

/** LiteLLM's way of saying "no key" for keyless servers. */
const NO_KEY = new Set(['', 'none', 'null', 'empty']);

export function translateLiteLLM(config: LiteLLMConfig, env: NodeJS.ProcessEnv): Translation {
  const issues: TranslationIssue[] = [];
  const notices: string[] = [];
  const settings = config.litellm_settings ?? {};
  const dropAll = settings.drop_params;
  const models = config.model_list.map((entry, i) => {
    const model = translateModel(entry, ['model_list', i, 'litellm_params'], issues, env);
    const dropParams = entry.litellm_params.drop_params ?? dropAll;
    if (dropParams !== undefined) Object.assign(model as object, { drop_params: dropParams });
    return model;
  });
  const { request_timeout, drop_params: _drop, max_budget: _budget, budget_duration: _duration, ...fromSettings } = settings;
  const router: RouterSettings = { ...fromSettings, ...(request_timeout !== undefined && { timeout: request_timeout }), ...config.router_settings };
  const masterKey = config.general_settings?.master_key;
  const keepalive = config.general_settings?.keepalive_seconds;
  const ui = translateUi(config, env, notices);
  // LiteLLM without a master key serves anyone; so does sagegate locally (the deployed stack always checks keys).
  const native: NativeConfig = {
    models,
    router,
    auth: masterKey ? { master_key: masterKey } : { disabled: true },
    ...(keepalive !== undefined && { gateway: { keepalive_seconds: keepalive } }),
    ...(ui && { ui }),
  };
  const usage = translateBudget(config, issues);
  if (usage) native.usage = usage;
  const routerPath = (key: string) =>
    config.router_settings && key in config.router_settings
      ? ['router_settings', key]
      : ['litellm_settings', key === 'timeout' ? 'request_timeout' : key];
  return { native, issues, notices, routerPath };
}

/**
 * The console: `general_settings.ui`, switched off by LiteLLM's DISABLE_ADMIN_UI as LiteLLM's own UI is.
 * LiteLLM's UI_USERNAME / UI_PASSWORD have no meaning here: said so, not ignored.
 */
function translateUi(config: LiteLLMConfig, env: NodeJS.ProcessEnv, notices: string[]): NativeConfig['ui'] {
  const ui = config.general_settings?.ui;
  if (!ui?.enabled) return ui;
  if (/^(true|1|yes)$/i.test(env.DISABLE_ADMIN_UI ?? '')) {
    notices.push('DISABLE_ADMIN_UI is set: the console at /ui is off (general_settings.ui.enabled is overridden)');
    return { ...ui, enabled: false, manage_keys: false };
  }
  for (const variable of ['UI_USERNAME', 'UI_PASSWORD']) {
    if (env[variable]) notices.push(`${variable} is not used: the console at /ui signs in with the master key or an admin key`);
  }
  return ui;
}

/** The proxy-wide budget: LiteLLM's litellm_settings.max_budget (+ budget_duration), or general_settings.max_budget as some configs write it. */
function translateBudget(config: LiteLLMConfig, issues: TranslationIssue[]): NativeConfig['usage'] {
  const fromGeneral = config.general_settings?.max_budget;
  const fromLiteLLM = config.litellm_settings?.max_budget;
  const duration = config.litellm_settings?.budget_duration;
  if (fromGeneral !== undefined && fromLiteLLM !== undefined) {
    issues.push({ path: ['general_settings', 'max_budget'], message: 'the budget is also set in litellm_settings.max_budget: keep one' });
  }
  if (duration !== undefined && fromGeneral === undefined && fromLiteLLM === undefined) {
    issues.push({ path: ['litellm_settings', 'budget_duration'], message: 'budget_duration needs max_budget' });
  }
  const maxBudget = fromLiteLLM ?? fromGeneral;
  return maxBudget === undefined ? undefined : { max_budget: maxBudget, ...(duration && { budget_duration: duration }) };
}

function translateModel(
  entry: LiteLLMModel,
  at: (string | number)[],
  issues: TranslationIssue[],
  env: NodeJS.ProcessEnv,
): NativeConfig['models'][number] {
  const params = entry.litellm_params;
  const {
    model,
    aws_region_name,
    model_id,
    hf_model_name,
    api_base,
    api_key,
    api_key_secret,
    aws_role_name,
    aws_session_name,
    dialect,
    route,
    route_auth,
    chat_template,
    max_batch,
    drop_params: _drop,
    weight,
    rpm,
    tpm,
    num_retries,
    max_retries,
    timeout,
    request_timeout,
    stream_timeout,
    cooldown_time,
    input_cost_per_token,
    output_cost_per_token,
    fim,
    ...defaults
  } = params;
  const refuse = (key: string, message: string) => issues.push({ path: [...at, key], message });
  const prices = translatePrices(entry, { input_cost_per_token, output_cost_per_token }, refuse);
  const reasoning = entry.model_info?.supports_reasoning;
  const routing = { weight, rpm, tpm, num_retries, max_retries, timeout, request_timeout, stream_timeout, cooldown_time };
  const common = {
    name: entry.model_name,
    defaults,
    vision: entry.model_info?.supports_vision ?? false,
    ...(reasoning !== undefined && { reasoning }),
    ...(fim && { fim }),
    ...(entry.model_info?.id && { id: entry.model_info.id }),
    ...Object.fromEntries(Object.entries(routing).filter(([, value]) => value !== undefined)),
    ...(prices && { prices }),
  };
  const upstream = upstreamOf(model, api_base, env);

  if (upstream.kind === 'openai') {
    const sageMakerOnly = {
      aws_region_name,
      model_id,
      hf_model_name,
      dialect,
      chat_template,
      max_batch,
      aws_role_name,
      aws_session_name,
      route,
      route_auth,
    };
    for (const [key, value] of Object.entries(sageMakerOnly)) {
      if (value !== undefined) refuse(key, `'${key}' does not apply to OpenAI-compatible models`);
    }
    const key = api_key !== undefined && !NO_KEY.has(api_key.trim().toLowerCase()) ? api_key : undefined;
    return {
      ...common,
      provider: 'openai',
      base_url: upstream.baseUrl,
      model: upstream.model,
      ...(upstream.hosted && { hosted: upstream.hosted }),
      ...(key && { api_key: key }),
      ...(api_key_secret && { api_key_secret }),
    };
  }

  if (upstream.kind === 'sagemaker') {
    const target = upstream.endpoint;
    if (!fields.endpoint.safeParse(target).success) refuse('model', `'${target}' is not a valid SageMaker endpoint name`);
    for (const [key, value] of Object.entries({ api_base, api_key, api_key_secret })) {
      if (value !== undefined) refuse(key, `'${key}' does not apply to SageMaker models (the gateway signs with its IAM role)`);
    }
    const access = {
      ...(aws_role_name && { role_arn: aws_role_name }),
      ...(aws_session_name && { session_name: aws_session_name }),
      ...(route && { route }),
      ...(route_auth && { route_auth }),
    };
    const checkRoute = (model: { dialect: NonNullable<typeof dialect> }) => {
      const litellmKey: Record<string, string> = { session_name: 'aws_session_name', role_arn: 'aws_role_name' };
      for (const [key, message] of routeIssues({ ...access, dialect: model.dialect })) refuse(litellmKey[key] ?? key, message);
    };
    // LiteLLM sends `sagemaker/` embeddings as JumpStart's `{"text_inputs"}`.
    if (entry.model_info?.mode === 'embedding') {
      if (chat_template) refuse('chat_template', 'a chat template does not apply to embedding models');
      checkRoute({ dialect: dialect ?? 'jumpstart-embedding' });
      return {
        ...common,
        provider: 'sagemaker',
        endpoint: target,
        dialect: dialect ?? 'jumpstart-embedding',
        ...(aws_region_name && { region: aws_region_name }),
        ...(model_id && { inference_component: model_id }),
        ...(max_batch && { max_batch }),
        ...access,
      };
    }
    // sagemaker/ is TGI's generate payload; the prompt template follows hf_model_name where it matches.
    const generate = upstream.generate;
    if (!generate && hf_model_name)
      refuse('hf_model_name', "hf_model_name applies to 'sagemaker/' (generate) models; 'sagemaker_chat/' containers apply their own template");
    const template = chat_template ?? (generate ? (hf_model_name && templateForModelId(hf_model_name)) || 'plain' : undefined);
    checkRoute({ dialect: dialect ?? (generate ? 'tgi-generate' : 'openai-chat') });
    return {
      ...common,
      provider: 'sagemaker',
      endpoint: target,
      dialect: dialect ?? (generate ? 'tgi-generate' : 'openai-chat'),
      ...(aws_region_name && { region: aws_region_name }),
      ...(model_id && { inference_component: model_id }),
      ...(template && { chat_template: template }),
      ...(max_batch && { max_batch }), // refused by the model schema: chat models have no batches
      ...access,
    };
  }

  refuse('model', upstream.message);
  return { ...common, provider: 'sagemaker', endpoint: 'invalid' };
}

/** LiteLLM's custom pricing, from model_info or litellm_params (not both). */
function translatePrices(
  entry: LiteLLMModel,
  params: { input_cost_per_token?: number; output_cost_per_token?: number },
  refuse: (key: string, message: string) => void,
): { input_per_token?: number; output_per_token?: number } | undefined {
  const info = entry.model_info;
  const inParams = params.input_cost_per_token !== undefined || params.output_cost_per_token !== undefined;
  const inInfo = info?.input_cost_per_token !== undefined || info?.output_cost_per_token !== undefined;
  if (inParams && inInfo) refuse('input_cost_per_token', 'prices are also set in model_info: keep them in one place');
  const source = inParams ? params : inInfo ? info! : undefined;
  if (!source) return undefined;
  return {
    ...(source.input_cost_per_token !== undefined && { input_per_token: source.input_cost_per_token }),
    ...(source.output_cost_per_token !== undefined && { output_per_token: source.output_cost_per_token }),
  };
}
