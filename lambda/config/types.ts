/**
 * The normalised configuration: what the handler runs on and what the CDK app deploys.
 * Produced by `load.ts` from either YAML form (native or LiteLLM) and validated there; the Lambda
 * bundle receives it as JSON, so no YAML parser or config schema is loaded at cold start.
 */
import type { DialectName } from '../dialects/index.js';
import type { FetchPolicy } from '../images/image-fetcher.js';
import type { ImageSettings } from '../images/image-settings.js';

export type { DialectName };

/** A built-in template by name, or the model's own (inline, or read from a file when the config loads). */
export type ChatTemplateConfig =
  | { builtin: 'chatml' | 'llama3' | 'mistral' | 'gemma' | 'plain' }
  | { source: string; bosToken?: string; eosToken?: string; stop?: string[] };

interface ModelBase {
  /** The name clients send as `model`. */
  name: string;
  dialect: DialectName;
  /** The `model` value an OpenAI-speaking upstream insists on (vLLM's served name, a provider's model id). */
  servedModelName?: string;
  /** Request parameters applied when the client does not set them (`temperature`, `max_tokens`, ...). */
  defaults: Record<string, unknown>;
  /** Whether the model accepts image parts. */
  vision: boolean;
  /** How images are fitted to the model (vision models only). */
  images?: ImageSettings;
  /** For prompt-string dialects (TGI generate, LMI, JumpStart). */
  chatTemplate?: ChatTemplateConfig;
  /** Embedding models: inputs per container call, when not the dialect's default. */
  maxBatch?: number;
}

export interface SageMakerModel extends ModelBase {
  provider: 'sagemaker';
  endpoint: string;
  /** Defaults to the deployment's region (AWS_REGION). */
  region?: string;
  inferenceComponent?: string;
  targetVariant?: string;
  customAttributes?: string;
}

/** Any OpenAI-compatible server: vLLM or TGI on EC2/EKS, an on-premise server, a hosted provider. */
export interface OpenAIModel extends ModelBase {
  provider: 'openai';
  dialect: 'openai-chat';
  /** Up to and including `/v1`; `/chat/completions` is appended. */
  baseUrl: string;
  /** Secrets Manager secret id or ARN holding the upstream's API key; none for keyless servers. */
  apiKeySecret?: string;
}

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

export interface GatewayConfig {
  models: ModelConfig[];
  auth: AuthConfig;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** How image URLs are fetched. */
  imageFetch: FetchPolicy;
  deploy: DeployConfig;
}
