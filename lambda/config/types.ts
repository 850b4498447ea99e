/**
 * The normalised configuration: what the handler runs on and what the CDK app deploys.
 * Produced by `load.ts` from either YAML form (native or LiteLLM) and validated there; the Lambda
 * bundle receives it as JSON, so no YAML parser or config schema is loaded at cold start.
 */
export type DialectName = 'openai-chat';

export interface SageMakerModel {
  /** The name clients send as `model`. */
  name: string;
  provider: 'sagemaker';
  endpoint: string;
  /** Defaults to the deployment's region (AWS_REGION). */
  region?: string;
  inferenceComponent?: string;
  targetVariant?: string;
  customAttributes?: string;
  dialect: DialectName;
  /** The `model` value an OpenAI-speaking container insists on (vLLM); omitted otherwise. */
  servedModelName?: string;
  /** Request parameters applied when the client does not set them (`temperature`, `max_tokens`, ...). */
  defaults: Record<string, unknown>;
  /** Whether the model accepts image parts. */
  vision: boolean;
}

export type ModelConfig = SageMakerModel;

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
}

export interface GatewayConfig {
  models: ModelConfig[];
  auth: AuthConfig;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  deploy: DeployConfig;
}
