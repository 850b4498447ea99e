import type { HostedProvider } from '../lambda/config/config.js';

/**
 * Hosted providers reached by LiteLLM's naming conventions, through their OpenAI-compatible APIs
 * (docs/wire-facts.md §7): the default base URL, the environment variable LiteLLM reads the key from,
 * and the variables that move the base elsewhere (LiteLLM's `<PROVIDER>_API_BASE`).
 */
interface Provider {
  baseUrl: string;
  keyEnv: string;
  baseEnv: string[];
  /** The path an origin-only base (as LiteLLM's variables hold for native APIs) needs appended. */
  compatiblePath?: string;
  /** The native endpoint a base may be written as in full (LiteLLM takes it and completes either form). */
  nativeEndpoint?: string;
}

export const HOSTED_PROVIDERS: Record<HostedProvider, Provider> = {
  openai: { baseUrl: 'https://api.openai.com/v1', keyEnv: 'OPENAI_API_KEY', baseEnv: ['OPENAI_API_BASE', 'OPENAI_BASE_URL'] },
  // Anthropic's OpenAI SDK compatibility layer: Bearer key, /v1/chat/completions.
  anthropic: {
    baseUrl: 'https://api.anthropic.com/v1',
    keyEnv: 'ANTHROPIC_API_KEY',
    baseEnv: ['ANTHROPIC_API_BASE', 'ANTHROPIC_BASE_URL'],
    compatiblePath: '/v1',
    nativeEndpoint: '/messages',
  },
  deepseek: { baseUrl: 'https://api.deepseek.com/v1', keyEnv: 'DEEPSEEK_API_KEY', baseEnv: ['DEEPSEEK_API_BASE'] },
  gemini: {
    baseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai',
    keyEnv: 'GEMINI_API_KEY',
    baseEnv: ['GEMINI_API_BASE'],
    compatiblePath: '/v1beta/openai',
  },
  zai: { baseUrl: 'https://api.z.ai/api/paas/v4', keyEnv: 'ZAI_API_KEY', baseEnv: ['ZAI_API_BASE'] },
  bigmodel: { baseUrl: 'https://open.bigmodel.cn/api/paas/v4', keyEnv: 'BIGMODEL_API_KEY', baseEnv: ['BIGMODEL_API_BASE'] },
};

/** LiteLLM prefixes that name a hosted provider. */
const PREFIXES: Record<string, HostedProvider> = {
  openai: 'openai',
  anthropic: 'anthropic',
  deepseek: 'deepseek',
  gemini: 'gemini',
  zai: 'zai',
  bigmodel: 'bigmodel',
};

/** Prefixes for any OpenAI-compatible server, which must then name its `api_base`. */
const COMPATIBLE_PREFIXES = new Set(['openai', 'hosted_vllm', 'openai_like', 'custom_openai']);

export type Upstream =
  | { kind: 'sagemaker'; generate: boolean; endpoint: string }
  | { kind: 'openai'; baseUrl: string; model: string; hosted?: HostedProvider }
  | { kind: 'unknown'; message: string };

/**
 * Where a LiteLLM `model` goes: SageMaker (`sagemaker/`, `sagemaker_chat/`), a hosted provider
 * (`anthropic/claude-...`, or a bare `gpt-4` / `claude-3-...` without `api_base`), or any
 * OpenAI-compatible server (`openai/x`, `hosted_vllm/x`, or a bare name, with `api_base`).
 */
export function upstreamOf(model: string, apiBase: string | undefined, env: NodeJS.ProcessEnv): Upstream {
  const slash = model.indexOf('/');
  const prefix = slash > 0 ? model.slice(0, slash) : undefined;
  const rest = slash > 0 ? model.slice(slash + 1) : model;
  if (prefix === 'sagemaker' || prefix === 'sagemaker_chat') return { kind: 'sagemaker', generate: prefix === 'sagemaker', endpoint: rest };
  if (apiBase && (prefix === undefined || COMPATIBLE_PREFIXES.has(prefix) || prefix in PREFIXES)) {
    // A hosted provider's prefix with its own api_base keeps the provider's quirks; openai/ is any server.
    const hosted = prefix && prefix !== 'openai' ? PREFIXES[prefix] : undefined;
    return { kind: 'openai', baseUrl: hosted ? compatibleBase(hosted, apiBase) : apiBase, model: rest, ...(hosted && { hosted }) };
  }
  const hosted = prefix ? PREFIXES[prefix] : bareProvider(model);
  if (hosted) return { kind: 'openai', baseUrl: hostedBase(hosted, env), model: rest, hosted };
  if (prefix && COMPATIBLE_PREFIXES.has(prefix))
    return { kind: 'unknown', message: `a '${prefix}/' model needs api_base (the server's URL, up to /v1)` };
  if (prefix === undefined) {
    return {
      kind: 'unknown',
      message: `'${model}' names no provider: add api_base for an OpenAI-compatible server, or a prefix (sagemaker_chat/, sagemaker/, openai/, anthropic/, deepseek/, gemini/, zai/, bigmodel/, hosted_vllm/)`,
    };
  }
  return {
    kind: 'unknown',
    message: `provider '${prefix}/' is not supported; sagegate serves sagemaker_chat/, sagemaker/, openai/, anthropic/, deepseek/, gemini/, zai/, bigmodel/ and hosted_vllm/ (or any OpenAI-compatible server with api_base)`,
  };
}

/** LiteLLM finds bare names in its model list: OpenAI's and Anthropic's families are the ones that matter here. */
function bareProvider(model: string): HostedProvider | undefined {
  if (/^(gpt-|chatgpt-|o\d(-|$)|text-embedding-|ft:gpt-)/.test(model)) return 'openai';
  if (/^claude-/.test(model)) return 'anthropic';
  if (/^deepseek-(chat|reasoner|coder)/.test(model)) return 'deepseek';
  return undefined;
}

function hostedBase(provider: HostedProvider, env: NodeJS.ProcessEnv): string {
  const override = HOSTED_PROVIDERS[provider].baseEnv.map((name) => env[name]).find((value) => value);
  return override ? compatibleBase(provider, override) : HOSTED_PROVIDERS[provider].baseUrl;
}

/**
 * A provider's base as LiteLLM users write it (an origin, `https://api.anthropic.com`, or a whole
 * endpoint, `https://api.anthropic.com/v1/messages`: LiteLLM completes both), as the root of its
 * OpenAI-compatible API.
 */
function compatibleBase(provider: HostedProvider, written: string): string {
  const { compatiblePath: path, nativeEndpoint } = HOSTED_PROVIDERS[provider];
  let base = written.replace(/\/+$/, '');
  if (nativeEndpoint && base.endsWith(nativeEndpoint)) base = base.slice(0, -nativeEndpoint.length);
  return path && !base.endsWith(path) ? `${base}${path}` : base;
}
