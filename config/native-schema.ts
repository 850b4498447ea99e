import { z } from 'zod';
import {
  BUILTIN_TEMPLATE_NAMES,
  DIALECT_NAMES,
  type DialectName,
  FIM_FORMAT_NAMES,
  IMAGE_FORMATS,
  IMAGE_PRESET_NAMES,
  isEmbeddingDialect,
} from '../lambda/core/names.js';
import { deploymentRoutingFields, routerSchema } from './router-schema.js';

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
        if (
          m.provider === 'sagemaker' &&
          m.chat_template &&
          (m.dialect === 'openai-chat' || m.dialect === 'tgi-chat' || isEmbeddingDialect(m.dialect))
        ) {
          ctx.addIssue({
            code: 'custom',
            path: [i, 'chat_template'],
            message:
              'a chat template applies to the tgi-generate, lmi-rolling-batch and jumpstart-text dialects only (openai-chat and tgi-chat containers apply their own)',
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
      });
    }),
  /** Load balancing, retries, fallbacks, cooldowns and timeouts across deployments (LiteLLM's router_settings). */
  router: routerSchema.default({}),
  usage: z
    .strictObject({
      /** A DynamoDB table for usage, budgets, global limits and stored responses (the stack sets its own). */
      table: z.string().min(3).max(255).optional(),
    })
    .default({}),
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
});

export type NativeConfig = z.input<typeof nativeConfigSchema>;
export type ParsedNativeConfig = z.output<typeof nativeConfigSchema>;
