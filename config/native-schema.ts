import { z } from 'zod';
import {
  BUILTIN_TEMPLATE_NAMES,
  DIALECT_NAMES,
  type DialectName,
  dialectRendersPrompt,
  FIM_FORMAT_NAMES,
  IMAGE_FORMATS,
  IMAGE_PRESET_NAMES,
  isEmbeddingDialect,
  SAGEMAKER_ROUTE_AUTHS,
  SAGEMAKER_ROUTES,
} from '../lambda/config/names.js';
import { parseBudgetDuration } from '../lambda/usage/budget-period.js';
import { deploymentRoutingFields, routerSchema } from './router-schema.js';
import { uiSchema } from './ui-schema.js';

/**
 * The native YAML form (snake_case, like LiteLLM's). Strict objects: a misspelt key is an error that
 * names its path, not a setting silently ignored.
 */
const secretRef = z.string().min(1);
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

const defaults = z.strictObject({
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().positive().optional(),
  top_p: z.number().min(0).max(1).optional(),
  stop: z.union([z.string(), z.array(z.string())]).optional(),
  seed: z.number().int().optional(),
  frequency_penalty: z.number().min(-2).max(2).optional(),
  presence_penalty: z.number().min(-2).max(2).optional(),
});

/** A preset (chosen from the model's names when omitted) with any field overridden. */
const imagesSchema = z.strictObject({
  preset: z.enum(IMAGE_PRESET_NAMES).optional(),
  min_side: z.number().int().min(1).max(4096).optional(),
  max_pixels: z.number().int().min(1).optional(),
  max_aspect_ratio: z.number().min(1).optional(),
  max_images: z.number().int().min(1).max(100).optional(),
  format: z.enum(IMAGE_FORMATS).optional(),
  quality: z.number().int().min(1).max(100).optional(),
});

// --- usage: budgets and prices (issue 12) ---
/** USD; a budget of the wrong type or sign is an error naming its path. */
export const budgetSchema = z.number({ error: 'a budget is a number of US dollars' }).positive('a budget must be more than 0 US dollars').finite();
/** LiteLLM's budget_duration: 30d, 7d, 1mo, daily, weekly, monthly, ... */
export const budgetDurationSchema = z.string().superRefine((value, ctx) => {
  const parsed = parseBudgetDuration(value);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});
const perToken = z.number({ error: 'a price is a number of US dollars per token' }).min(0, 'a price cannot be negative').finite();
/** USD per token, as LiteLLM's input_cost_per_token / output_cost_per_token. */
export const pricesSchema = z
  .strictObject({ input_per_token: perToken.optional(), output_per_token: perToken.optional() })
  .refine((p) => p.input_per_token !== undefined || p.output_per_token !== undefined, 'set input_per_token, output_per_token or both');
const usageSchema = z
  .strictObject({
    /** A DynamoDB table for usage, budgets, global limits and stored responses (the stack sets its own). */
    table: z.string().min(3).max(255).optional(),
    /** The whole gateway's budget, USD per period. */
    max_budget: budgetSchema.optional(),
    budget_duration: budgetDurationSchema.optional(),
    budget_refresh_seconds: z.number().min(0).max(3600).default(5),
    when_unavailable: z.enum(['fail_open', 'fail_closed']).default('fail_open'),
    fail_open_seconds: z.number().int().min(0).max(86_400).default(900),
    retention_days: z.number().int().min(2).max(3650).default(400),
  })
  .superRefine((u, ctx) => {
    if (u.budget_duration !== undefined && u.max_budget === undefined)
      ctx.addIssue({ code: 'custom', path: ['budget_duration'], message: 'budget_duration needs max_budget' });
  });
// --- end usage ---

const name = z
  .string()
  .min(1)
  .regex(/^[\w.:/@-]+$/, 'use letters, digits and . _ - : / @ only');
const deploymentId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\w.:/@-]+$/, 'use letters, digits and . _ - : / @ only');
const templateTokens = {
  bos_token: z.string().optional(),
  eos_token: z.string().optional(),
  stop: z.array(z.string().min(1)).optional(),
};

/** A built-in template by name, the model's own inline, or read from a file (relative to the config). */
export const chatTemplateSchema = z.union([
  z.enum(BUILTIN_TEMPLATE_NAMES, { error: `expected one of ${BUILTIN_TEMPLATE_NAMES.join(', ')}, or {inline: ...} or {file: ...}` }),
  z.strictObject({ inline: z.string().min(1), ...templateTokens }),
  z.strictObject({ file: z.string().min(1), ...templateTokens }),
]);

export const sageMakerModelSchema = z.strictObject({
  name,
  provider: z.literal('sagemaker'),
  endpoint: z.string().regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, 'not a valid SageMaker endpoint name'),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'not an AWS region name')
    .optional(),
  inference_component: z.string().min(1).optional(),
  target_variant: z.string().min(1).optional(),
  custom_attributes: z
    .string()
    .max(1024)
    .regex(/^[\x20-\x7e]*$/, 'must be printable ASCII')
    .optional(),
  dialect: z.enum(DIALECT_NAMES as [DialectName, ...DialectName[]]).default('openai-chat'),
  /** `invocations` (InvokeEndpoint) or `openai` (the endpoint's OpenAI-compatible chat route). */
  route: z.enum(SAGEMAKER_ROUTES).optional(),
  /** On the OpenAI-compatible route: a bearer token minted from the credentials (default), or SigV4. */
  route_auth: z.enum(SAGEMAKER_ROUTE_AUTHS).optional(),
  /** A role to assume for this model's calls, e.g. an endpoint in another account (LiteLLM's aws_role_name). */
  role_arn: z
    .string()
    .regex(/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'expected an IAM role ARN such as arn:aws:iam::123456789012:role/sagegate-invoke')
    .optional(),
  /** The RoleSessionName (LiteLLM's aws_session_name), seen in the other account's CloudTrail. */
  session_name: z
    .string()
    .regex(/^[\w+=,.@-]{2,64}$/, 'use 2 to 64 letters, digits and + = , . @ - _')
    .optional(),
  /**
   * How long assumed credentials last (STS DurationSeconds), 900 to 43200; default 3600, the most a role
   * allows unless its MaxSessionDuration says more, and the most STS grants a caller that is itself an assumed role.
   */
  role_duration_seconds: z.number().int().min(900).max(43_200).optional(),
  served_model_name: z.string().min(1).optional(),
  chat_template: chatTemplateSchema.optional(),
  /** Embedding models: inputs per container call (TEI's --max-client-batch-size; default 32 for tei). */
  max_batch: z.number().int().min(1).max(2048).optional(),
  defaults: defaults.default({}),
  /** Drop request parameters the container cannot honour instead of refusing them (LiteLLM's drop_params). */
  drop_params: z.boolean().optional(),
  vision: z.boolean().default(false),
  images: imagesSchema.optional(),
  /** The deployment's own id (LiteLLM's model_info.id); defaults to the name, numbered within a group. */
  id: deploymentId.optional(),
  ...deploymentRoutingFields,
  prices: pricesSchema.optional(),
  ...answerShape(),
});

/** Whether the model thinks in `<think>` tags, and its fill-in-the-middle format (both told from its names when unset). */
function answerShape() {
  return { reasoning: z.boolean().optional(), fim: z.enum(FIM_FORMAT_NAMES).optional() };
}

export const openAIModelSchema = z.strictObject({
  name,
  provider: z.literal('openai'),
  base_url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://host/v1' }),
  /** The upstream's own model id. */
  model: z.string().min(1),
  /** Secrets Manager secret id or ARN; omit for keyless servers. */
  api_key_secret: z.string().min(1).optional(),
  /** The key itself or `os.environ/NAME`: for local serving only (`cdk deploy` moves it to Secrets Manager). */
  api_key: z.string().min(1).optional(),
  /** A hosted provider's quirks (set by LiteLLM's naming conventions). */
  hosted: z.enum(['openai', 'anthropic', 'deepseek', 'gemini', 'zai', 'bigmodel']).optional(),
  dialect: z.literal('openai-chat').default('openai-chat'),
  defaults: defaults.default({}),
  drop_params: z.boolean().optional(),
  vision: z.boolean().default(false),
  images: imagesSchema.optional(),
  id: deploymentId.optional(),
  ...deploymentRoutingFields,
  prices: pricesSchema.optional(),
  ...answerShape(),
});

// `provider` defaults to sagemaker, then picks the schema (so errors name the right fields).
const modelSchema = z.preprocess(
  (value) => (value && typeof value === 'object' && !Array.isArray(value) && !('provider' in value) ? { ...value, provider: 'sagemaker' } : value),
  z.discriminatedUnion('provider', [sageMakerModelSchema, openAIModelSchema], { error: "provider must be 'sagemaker' or 'openai'" }),
);

export const nativeConfigSchema = z.strictObject({
  models: z
    .array(modelSchema)
    .min(1, 'configure at least one model')
    .superRefine((models, ctx) => {
      models.forEach((m, i) => {
        if (m.images && !m.vision) ctx.addIssue({ code: 'custom', path: [i, 'images'], message: 'image settings apply to models with vision: true' });
        if (m.provider === 'sagemaker' && m.chat_template && !dialectRendersPrompt(m.dialect)) {
          const promptDialects = DIALECT_NAMES.filter(dialectRendersPrompt).join(', ');
          ctx.addIssue({
            code: 'custom',
            path: [i, 'chat_template'],
            message: `a chat template applies to the ${promptDialects} dialects only (other chat containers apply their own)`,
          });
        }
        if (m.provider === 'sagemaker' && m.max_batch !== undefined && !isEmbeddingDialect(m.dialect)) {
          ctx.addIssue({
            code: 'custom',
            path: [i, 'max_batch'],
            message: `max_batch applies to embedding models; '${m.dialect}' is a chat dialect`,
          });
        }
        if (m.provider === 'sagemaker' && m.vision && isEmbeddingDialect(m.dialect)) {
          ctx.addIssue({ code: 'custom', path: [i, 'vision'], message: `vision applies to chat models; '${m.dialect}' is an embedding dialect` });
        }
        if (m.provider === 'sagemaker') {
          for (const [key, message] of routeIssues(m)) ctx.addIssue({ code: 'custom', path: [i, key], message });
        }
      });
    }),
  /** Load balancing, retries, fallbacks, cooldowns and timeouts across deployments (LiteLLM's router_settings). */
  router: routerSchema.default({}),
  usage: usageSchema.default({ budget_refresh_seconds: 5, when_unavailable: 'fail_open', fail_open_seconds: 900, retention_days: 400 }),
  auth: z
    .strictObject({
      /** A literal key or `os.environ/NAME`; only its SHA-256 is kept. */
      master_key: secretRef.optional(),
      master_key_sha256: z
        .string()
        .regex(/^[0-9a-fA-F]{64}$/, 'must be a hex SHA-256 digest')
        .optional(),
      keys_secret: z.string().min(1).optional(),
      cache_ttl_seconds: z.number().int().min(0).max(86400).default(300),
      disabled: z.boolean().default(false),
    })
    .default({ cache_ttl_seconds: 300, disabled: false }),
  gateway: z
    .strictObject({
      /** SSE comment pings while a started stream's upstream is silent, every this many seconds (0: none). */
      keepalive_seconds: z.number().int().min(0).max(300).default(15),
      max_body_bytes: z
        .number()
        .int()
        .min(1024)
        .max(6 * 1024 * 1024)
        .default(6 * 1024 * 1024),
      /** SageMaker calls in flight at once per host (the connection pool); matters to the local server. */
      max_connections: z.number().int().min(1).max(100_000).optional(),
      image_fetch: z
        .strictObject({
          allow_hosts: z.array(z.string().min(1)).default([]),
          deny_hosts: z.array(z.string().min(1)).default([]),
          timeout_ms: z.number().int().min(100).max(60_000).default(5000),
          max_bytes: z
            .number()
            .int()
            .min(1024)
            .max(64 * 1024 * 1024)
            .default(20 * 1024 * 1024),
          max_redirects: z.number().int().min(0).max(10).default(3),
        })
        .default({ allow_hosts: [], deny_hosts: [], timeout_ms: 5000, max_bytes: 20 * 1024 * 1024, max_redirects: 3 }),
    })
    .default({
      keepalive_seconds: 15,
      max_body_bytes: 6 * 1024 * 1024,
      image_fetch: { allow_hosts: [], deny_hosts: [], timeout_ms: 5000, max_bytes: 20 * 1024 * 1024, max_redirects: 3 },
    }),
  deploy: z
    .strictObject({
      stack_name: z
        .string()
        .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/)
        .default('SageGate'),
      memory_mb: z.number().int().min(128).max(10240).default(512),
      timeout_seconds: z.number().int().min(10).max(900).default(900),
      log_retention_days: z
        .number()
        .refine((d) => LOG_RETENTION_DAYS.includes(d), `must be one of ${LOG_RETENTION_DAYS.join(', ')} (CloudWatch's retention periods)`)
        .default(30),
      cors: z.strictObject({ allow_origins: z.array(z.string().min(1)).min(1) }).optional(),
      /** `aws_iam`: only SigV4-signed callers with lambda:InvokeFunctionUrl reach the function. */
      function_url_auth: z.enum(['none', 'aws_iam']).default('none'),
      reserved_concurrency: z.number().int().min(1).optional(),
      tracing: z.boolean().default(false),
      /** Subnets and security groups to run in, for upstreams only reachable inside a VPC. */
      vpc: z
        .strictObject({
          vpc_id: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'expected a VPC id such as vpc-0abc12345def67890'),
          subnet_ids: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'expected a subnet id such as subnet-0abc12345def67890')).min(1),
          security_group_ids: z.array(z.string().regex(/^sg-[0-9a-f]{8,17}$/, 'expected a security group id such as sg-0abc12345def67890')).min(1),
        })
        .optional(),
      /** An existing SNS topic for the alarms. */
      alarm_topic_arn: z
        .string()
        .regex(/^arn:aws[\w-]*:sns:/, 'expected an SNS topic ARN')
        .optional(),
    })
    .default({ stack_name: 'SageGate', memory_mb: 512, timeout_seconds: 900, log_retention_days: 30, function_url_auth: 'none', tracing: false }),
  /** The admin console at /ui (off by default). */
  ui: uiSchema.optional(),
});

/** What the OpenAI-compatible route cannot carry, and settings that need another one (docs/wire-facts.md §9). */
export function routeIssues(
  m: Pick<
    z.input<typeof sageMakerModelSchema>,
    'route' | 'route_auth' | 'role_arn' | 'session_name' | 'role_duration_seconds' | 'dialect' | 'target_variant' | 'custom_attributes'
  >,
): [key: string, message: string][] {
  const issues: [string, string][] = [];
  if (m.session_name && !m.role_arn) issues.push(['session_name', 'session_name names the session of an assumed role: set role_arn too']);
  if (m.role_duration_seconds && !m.role_arn)
    issues.push(['role_duration_seconds', 'role_duration_seconds sets how long an assumed role lasts: set role_arn too']);
  if (m.route_auth && m.route !== 'openai')
    issues.push(['route_auth', 'route_auth applies to route: openai (InvokeEndpoint is always signed with SigV4)']);
  if (m.route !== 'openai') return issues;
  const dialect = m.dialect ?? 'openai-chat';
  if (dialect !== 'openai-chat') {
    issues.push([
      'route',
      `SageMaker's OpenAI-compatible route serves chat completions only, for openai-chat containers; '${dialect}' needs route: invocations`,
    ]);
  }
  if (m.target_variant) issues.push(['target_variant', 'the OpenAI-compatible route takes no target variant; use route: invocations for it']);
  if (m.custom_attributes)
    issues.push(['custom_attributes', 'the OpenAI-compatible route takes no custom attributes; use route: invocations for them']);
  return issues;
}

export type NativeConfig = z.input<typeof nativeConfigSchema>;
export type ParsedNativeConfig = z.output<typeof nativeConfigSchema>;
