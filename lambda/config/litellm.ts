import { z } from 'zod';
import { sageMakerModelSchema, type NativeConfig } from './native-schema.js';

/**
 * LiteLLM proxy configs (`model_list`, as in the seeds), translated to the native form. Only what
 * sagegate really does is accepted; anything else is refused with its path, never silently ignored.
 */
const fields = sageMakerModelSchema.shape;
const defaultsShape = fields.defaults.unwrap().shape;

const litellmModel = z.strictObject({
  model_name: z.string().min(1),
  litellm_params: z.strictObject({
    model: z.string().regex(/^[\w-]+\/.+$/, "expected '<provider>/<name>', such as 'sagemaker_chat/my-endpoint'"),
    aws_region_name: fields.region,
    model_id: z.string().min(1).optional(),
    ...defaultsShape,
  }),
  model_info: z
    .strictObject({
      supports_vision: z.boolean().optional(),
      mode: z.literal('chat', { error: "only 'chat' models are supported" }).optional(),
      id: z.string().optional(),
      description: z.string().optional(),
      base_model: z.string().optional(),
    })
    .optional(),
});

export const litellmConfigSchema = z.strictObject({
  model_list: z.array(litellmModel).min(1, 'configure at least one model'),
  general_settings: z.strictObject({ master_key: z.string().min(1).optional() }).optional(),
});

type LiteLLMConfig = z.output<typeof litellmConfigSchema>;

export interface TranslationIssue {
  path: (string | number)[];
  message: string;
}

const PROVIDERS: Record<string, string | undefined> = {
  sagemaker_chat: undefined,
  sagemaker: "'sagemaker/' (TGI generate payloads) is not supported yet; use 'sagemaker_chat/' if the container speaks the Messages API",
  openai: "'openai/' upstreams are not supported yet",
};

export function translateLiteLLM(config: LiteLLMConfig): { native: NativeConfig; issues: TranslationIssue[] } {
  const issues: TranslationIssue[] = [];
  const models = config.model_list.map((entry, i) => {
    const params = entry.litellm_params;
    const slash = params.model.indexOf('/');
    const provider = params.model.slice(0, slash);
    const endpoint = params.model.slice(slash + 1);
    const path = ['model_list', i, 'litellm_params', 'model'];
    if (!(provider in PROVIDERS)) issues.push({ path, message: `provider '${provider}/' is not supported; sagegate serves 'sagemaker_chat/<endpoint>'` });
    else if (PROVIDERS[provider]) issues.push({ path, message: PROVIDERS[provider]! });
    else if (!fields.endpoint.safeParse(endpoint).success) issues.push({ path, message: `'${endpoint}' is not a valid SageMaker endpoint name` });
    const { model: _model, aws_region_name, model_id, ...defaults } = params;
    return {
      name: entry.model_name,
      provider: 'sagemaker' as const,
      endpoint,
      dialect: 'openai-chat' as const,
      ...(aws_region_name ? { region: aws_region_name } : {}),
      ...(model_id ? { inference_component: model_id } : {}),
      defaults,
      vision: entry.model_info?.supports_vision ?? false,
    };
  });
  const masterKey = config.general_settings?.master_key;
  // LiteLLM without a master key serves anyone; so does sagegate locally (the deployed stack always checks keys).
  const native: NativeConfig = { models, auth: masterKey ? { master_key: masterKey } : { disabled: true } };
  return { native, issues };
}
