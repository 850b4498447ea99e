/**
 * The normalised configuration: what the handler runs on and what the CDK app deploys. Produced
 * from either YAML form (native or LiteLLM) by `config/load.ts` outside the Lambda and validated
 * there; the bundle receives it as JSON, so no YAML parser or config schema is loaded at cold start.
 * Types only: this module depends on nothing but the lists of names.
 */
import type { BuiltinTemplateName, DialectName, FimFormat, ImageFormat, SageMakerRoute, SageMakerRouteAuth } from './names.js';

/** A built-in template by name, or the model's own (inline, or read from a file when the config loads). */
export type ChatTemplateConfig = { builtin: BuiltinTemplateName } | { source: string; bosToken?: string; eosToken?: string; stop?: string[] };

/** How a vision model wants its images: a preset resolved with the model's overrides. */
export interface ImageSettings {
  /** Shorter sides below this are upscaled (never rejected). */
  minSide: number;
  /** Larger images are downscaled to at most this many pixels. */
  maxPixels: number;
  /** Longer side over shorter side; beyond it the client gets a 400. */
  maxAspectRatio: number;
  maxImages: number;
  /** The encoding of images the gateway re-encodes. */
  format: ImageFormat;
  quality: number;
}

/** How image URLs are fetched (SSRF policy and bounds). */
export interface FetchPolicy {
  /** Hosts exempt from the address check (an internal image service). */
  allowHosts: string[];
  /** Hosts never fetched. */
  denyHosts: string[];
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
}

interface ModelBase {
  /**
   * The deployment's own id, unique in the config (the model's name unless several deployments
   * share one name): what logs, headers and usage rows say served an answer.
   */
  id: string;
  /** The name clients send as `model`; several deployments may share it (a model group). */
  name: string;
  dialect: DialectName;
  /** The `model` value an OpenAI-speaking upstream insists on (vLLM's served name, a provider's model id). */
  servedModelName?: string;
  /** Request parameters applied when the client does not set them (`temperature`, `max_tokens`, ...). */
  defaults: Record<string, unknown>;
  /** Parameters the container cannot honour are dropped instead of refused (LiteLLM's `drop_params`). */
  dropParams?: boolean;
  /** Whether the model accepts image parts. */
  vision: boolean;
  /** How images are fitted to the model (vision models only). */
  images?: ImageSettings;
  /**
   * Whether the model thinks in `<think>...</think>` before answering (DeepSeek-R1, QwQ, Qwen3): true,
   * false, or unset to tell from the template and the model's names (docs/wire-facts.md §8).
   */
  reasoning?: boolean;
  /** The fill-in-the-middle format for legacy completions with a `suffix` (told from the model's names when unset). */
  fim?: FimFormat;
  /** For prompt-string dialects (TGI generate, LMI, JumpStart). */
  chatTemplate?: ChatTemplateConfig;
  /** Embedding models: inputs per container call, when not the dialect's default. */
  maxBatch?: number;
  /** USD per token, from LiteLLM's `model_info` (or natively); SageMaker endpoints have no list price. */
  prices?: { inputPerToken: number; outputPerToken: number };
  /** How the router treats this deployment within its group. */
  routing?: DeploymentRouting;
}

/** A deployment's own routing settings (LiteLLM's `litellm_params` of the same names). */
export interface DeploymentRouting {
  /** Share of traffic under simple-shuffle (`weight`, else `rpm`, else `tpm`, as LiteLLM picks). */
  weight?: number;
  rpm?: number;
  tpm?: number;
  /** Retries after a failure of this deployment (its `num_retries` / `max_retries`). */
  retries?: number;
  /** Whole request, and time to the first token of a stream. */
  timeoutMs?: number;
  streamTimeoutMs?: number;
  /** How long this deployment is skipped once it cools down (0: never). */
  cooldownSeconds?: number;
}

export interface SageMakerModel extends ModelBase {
  provider: 'sagemaker';
  endpoint: string;
  /** Defaults to the deployment's region (AWS_REGION). */
  region?: string;
  inferenceComponent?: string;
  targetVariant?: string;
  customAttributes?: string;
  /** InvokeEndpoint (absent: `invocations`) or the endpoint's OpenAI-compatible route (docs/wire-facts.md §9). */
  route?: SageMakerRoute;
  /** On the OpenAI-compatible route: a bearer token (absent: `bearer_token`) or SigV4. */
  routeAuth?: SageMakerRouteAuth;
  /** A role to assume for this model's calls (an endpoint in another account): LiteLLM's `aws_role_name`. */
  assumeRole?: AssumeRoleConfig;
}

export interface AssumeRoleConfig {
  roleArn: string;
  /** RoleSessionName (LiteLLM's `aws_session_name`); a fixed default otherwise. */
  sessionName?: string;
  /** STS DurationSeconds (default 3600). */
  durationSeconds?: number;
}

/** Any OpenAI-compatible server: vLLM or TGI on EC2/EKS, an on-premise server, a hosted provider. */
export interface OpenAIModel extends ModelBase {
  provider: 'openai';
  dialect: 'openai-chat';
  /** Up to and including `/v1`; `/chat/completions` is appended. */
  baseUrl: string;
  /** Secrets Manager secret id or ARN holding the upstream's API key; none for keyless servers. */
  apiKeySecret?: string;
  /**
   * The key itself, when serving locally from a config that holds it (literal or `os.environ/NAME`).
   * Never deployed: the CDK app moves such keys to Secrets Manager or refuses the config.
   */
  apiKey?: string;
  /** A hosted provider reached by LiteLLM's naming conventions (`gpt-4`, `anthropic/...`), for its quirks. */
  hosted?: HostedProvider;
}

export type HostedProvider = 'openai' | 'anthropic' | 'deepseek' | 'gemini' | 'zai' | 'bigmodel';

export type ModelConfig = SageMakerModel | OpenAIModel;

export interface AuthConfig {
  /** Auth switched off on purpose (local use); the deployed stack always checks keys. */
  disabled: boolean;
  /** SHA-256 (hex) of the master key; the key itself is never kept. */
  masterKeySha256?: string;
  /** Secrets Manager secret id or ARN holding the key store. */
  keysSecret?: string;
  cacheTtlSeconds: number;
}

export interface CorsConfig {
  allowOrigins: string[];
}

export interface DeployConfig {
  stackName: string;
  memoryMb: number;
  timeoutSeconds: number;
  logRetentionDays: number;
  cors?: CorsConfig;
  /** `aws_iam` puts the Function URL behind SigV4; with `auth.disabled` IAM is then the only check. */
  functionUrlAuth: 'none' | 'aws_iam';
  reservedConcurrency?: number;
  /** X-Ray active tracing. */
  tracing: boolean;
  alarmTopicArn?: string;
  /** Run inside these subnets (private upstreams); SageMaker and Secrets Manager then need a NAT or VPC endpoints. */
  vpc?: { vpcId: string; subnetIds: string[]; securityGroupIds: string[] };
}

/** How requests are spread over a model group's deployments and where they go when it fails (LiteLLM's router). */
export interface RouterConfig {
  strategy: 'simple-shuffle' | 'least-busy' | 'latency-based-routing';
  /** Retries within a group; undefined: LiteLLM's 2 for a group of several deployments, 0 for one (the client's SDK retries). */
  numRetries?: number;
  /** The least backoff before a retry on the same deployment, in seconds. */
  retryAfterSeconds: number;
  /** Failures in a minute a deployment may have before it cools down. */
  allowedFails: number;
  cooldownSeconds: number;
  /** Group name to the groups tried, in order, once it has failed (LiteLLM's `fallbacks`). */
  fallbacks: Record<string, string[]>;
  /** The same, only when the container says the prompt is too long. */
  contextWindowFallbacks: Record<string, string[]>;
  /** Fallbacks for every group without its own. */
  defaultFallbacks: string[];
  /** How many fallback groups one request may try. */
  maxFallbacks: number;
  timeoutMs?: number;
  streamTimeoutMs?: number;
  /** Other names for groups (LiteLLM's `model_group_alias`); hidden ones are not listed in /v1/models. */
  aliases: Record<string, { group: string; hidden: boolean }>;
}

/** Shared state across Lambda containers (usage, budgets, global limits, stored responses). */
export interface UsageConfig {
  /** The DynamoDB table; without one, usage is kept in memory (one process only). */
  table?: string;
  /** The whole gateway's budget: USD per period (LiteLLM's `max_budget` and `budget_duration`; a calendar month by default). */
  budget?: { maxBudget: number; duration?: string };
  /** How old a process's copy of a budget's spend may get: an older copy is read again before a request is admitted. */
  budgetRefreshSeconds?: number;
  /** When the table cannot be reached: limits and budgets go unchecked for `failOpenSeconds`, or at once refuse (503). */
  whenUnavailable?: 'fail_open' | 'fail_closed';
  failOpenSeconds?: number;
  /** Days usage rows are kept (DynamoDB's TTL removes them after). */
  retentionDays?: number;
}

/** The admin console at /ui; absent: no routes, no assets, no permissions. */
export interface UiConfig {
  /** The console may write the key store (the stack then grants PutSecretValue and the staging calls). */
  manageKeys: boolean;
  idleTimeoutMinutes: number;
  absoluteTimeoutMinutes: number;
  /** Sign-in attempts per client address per 15 minutes, across containers. */
  maxSignInAttempts: number;
}

export interface GatewayConfig {
  /** Deployments; several may share a name (a model group). */
  models: ModelConfig[];
  router: RouterConfig;
  usage: UsageConfig;
  auth: AuthConfig;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** Upstream calls in flight at once per host (the SDK's connection pool); the transports' default when unset. */
  maxConnections?: number;
  /** How image URLs are fetched. */
  imageFetch: FetchPolicy;
  /** SSE comment pings while a started stream's upstream is silent, every this many seconds (0: none; absent: 15). */
  keepaliveSeconds?: number;
  deploy: DeployConfig;
  ui?: UiConfig;
}

/**
 * The names a model is known by, for guesses made from names (a reasoning model, a code model's
 * fill-in-the-middle format): its own, its served name and, on SageMaker, its endpoint's.
 */
export function namesOf(model: ModelConfig): (string | undefined)[] {
  return [model.name, model.servedModelName, model.provider === 'sagemaker' ? model.endpoint : undefined];
}
