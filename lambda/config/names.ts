/**
 * The named choices of the config, each written once. The config schema, the config types, the
 * dialect and template registries and the CDK app all derive from these lists; a registry that
 * misses a name does not compile.
 */

/**
 * Chat container formats: whether the container streams (the CDK app grants the streaming API by it),
 * and whether the gateway renders the prompt with a chat template (a bundle without such models
 * leaves the template engine out).
 */
export const CHAT_DIALECTS = {
  'openai-chat': { streams: true, prompt: false },
  'tgi-chat': { streams: true, prompt: false },
  'tgi-generate': { streams: true, prompt: true },
  'lmi-rolling-batch': { streams: true, prompt: true },
  'jumpstart-text': { streams: false, prompt: true },
} as const;

/** Embedding container formats (never streamed). */
export const EMBEDDING_DIALECTS = ['tei', 'jumpstart-embedding', 'openai-embeddings'] as const;

export type ChatDialectName = keyof typeof CHAT_DIALECTS;
export type EmbeddingDialectName = (typeof EMBEDDING_DIALECTS)[number];
export type DialectName = ChatDialectName | EmbeddingDialectName;

export const CHAT_DIALECT_NAMES = Object.keys(CHAT_DIALECTS) as ChatDialectName[];
export const DIALECT_NAMES: readonly DialectName[] = [...CHAT_DIALECT_NAMES, ...EMBEDDING_DIALECTS];

export const isEmbeddingDialect = (name: DialectName): name is EmbeddingDialectName => (EMBEDDING_DIALECTS as readonly string[]).includes(name);

/** Whether a dialect renders the conversation into a prompt string with a chat template (else the container does). */
export const dialectRendersPrompt = (name: DialectName): boolean => !isEmbeddingDialect(name) && CHAT_DIALECTS[name].prompt;

/** Whether the gateway ever calls a model of this dialect with a streaming request. */
export const dialectStreams = (name: DialectName): boolean => !isEmbeddingDialect(name) && CHAT_DIALECTS[name].streams;

/**
 * How a SageMaker model is called: `invocations` is InvokeEndpoint / InvokeEndpointWithResponseStream
 * (any container format, SigV4, event-stream frames); `openai` is the endpoint's OpenAI-compatible
 * chat route (`openai-chat` containers only, a bearer token, the container's own stream bytes).
 */
export const SAGEMAKER_ROUTES = ['invocations', 'openai'] as const;
export type SageMakerRoute = (typeof SAGEMAKER_ROUTES)[number];

/** How calls on the OpenAI-compatible route are authorised: a bearer token minted from the credentials, or SigV4. */
export const SAGEMAKER_ROUTE_AUTHS = ['bearer_token', 'sigv4'] as const;
export type SageMakerRouteAuth = (typeof SAGEMAKER_ROUTE_AUTHS)[number];

/** Chat templates built in for prompt-string containers. */
export const BUILTIN_TEMPLATE_NAMES = ['chatml', 'llama3', 'mistral', 'gemma', 'plain'] as const;
export type BuiltinTemplateName = (typeof BUILTIN_TEMPLATE_NAMES)[number];

/** Image settings presets for vision models. */
export const IMAGE_PRESET_NAMES = ['default', 'qwen-vl'] as const;
export type ImagePresetName = (typeof IMAGE_PRESET_NAMES)[number];

/** How re-encoded images are written; `keep` keeps the input's encoding (GIF becomes PNG). */
export const IMAGE_FORMATS = ['keep', 'jpeg', 'png', 'webp'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

/** Fill-in-the-middle prompt formats of code models, for legacy completions with a `suffix`. */
export const FIM_FORMAT_NAMES = ['qwen', 'starcoder', 'codellama', 'deepseek', 'codestral'] as const;
export type FimFormat = (typeof FIM_FORMAT_NAMES)[number];
