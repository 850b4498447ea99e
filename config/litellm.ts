import { z } from 'zod';
import { templateForModelId } from './model-names.js';
import { chatTemplateSchema, type NativeConfig, sageMakerModelSchema } from './native-schema.js';

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
    hf_model_name: z.string().min(1).optional(),
    api_base: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
    api_key: z.string().optional(),
    // sagegate extensions: the dialect of a SageMaker container, its chat template, an upstream key's
    // secret, an embedding container's batch limit.
    dialect: fields.dialect.unwrap().optional(),
    max_batch: fields.max_batch,
    chat_template: chatTemplateSchema.optional(),
    api_key_secret: z.string().min(1).optional(),
    drop_params: z.boolean().optional(),
    fim: fields.fim,
    ...defaultsShape,
  }),
  model_info: z
    .strictObject({
      supports_vision: z.boolean().optional(),
      /** LiteLLM's flag for thinking models: here, whether `<think>` is split into reasoning_content. */
      supports_reasoning: z.boolean().optional(),
      mode: z.enum(['chat', 'embedding'], { error: "only 'chat' and 'embedding' models are supported" }).optional(),
      id: z.string().optional(),
      description: z.string().optional(),
      base_model: z.string().optional(),
    })
    .optional(),
});

export const litellmConfigSchema = z.strictObject({
  model_list: z.array(litellmModel).min(1, 'configure at least one model'),
  general_settings: z.strictObject({ master_key: z.string().min(1).optional() }).optional(),
  litellm_settings: z
    .strictObject({
      /** Drop parameters a model cannot honour instead of refusing them, for every model. */
      drop_params: z.boolean().optional(),
    })
    .optional(),
});

type LiteLLMConfig = z.output<typeof litellmConfigSchema>;
type LiteLLMModel = LiteLLMConfig['model_list'][number];

export interface TranslationIssue {
  path: (string | number)[];
  message: string;
}

/** LiteLLM's way of saying "no key" for keyless servers. */
const NO_KEY = new Set(['', 'none', 'null', 'empty']);

export function translateLiteLLM(config: LiteLLMConfig): { native: NativeConfig; issues: TranslationIssue[] } {
  const issues: TranslationIssue[] = [];
  const dropAll = config.litellm_settings?.drop_params;
  const models = config.model_list.map((entry, i) => {
    const model = translateModel(entry, ['model_list', i, 'litellm_params'], issues);
    const dropParams = entry.litellm_params.drop_params ?? dropAll;
    if (dropParams !== undefined) Object.assign(model as object, { drop_params: dropParams });
    return model;
  });
  const masterKey = config.general_settings?.master_key;
  // LiteLLM without a master key serves anyone; so does sagegate locally (the deployed stack always checks keys).
  const native: NativeConfig = { models, auth: masterKey ? { master_key: masterKey } : { disabled: true } };
  return { native, issues };
}

function translateModel(entry: LiteLLMModel, at: (string | number)[], issues: TranslationIssue[]): NativeConfig['models'][number] {
  const params = entry.litellm_params;
  const {
    model,
    aws_region_name,
    model_id,
    hf_model_name,
    api_base,
    api_key,
    api_key_secret,
    dialect,
    chat_template,
    max_batch,
    drop_params: _drop,
    fim,
    ...defaults
  } = params;
  const slash = model.indexOf('/');
  const provider = model.slice(0, slash);
  const target = model.slice(slash + 1);
  const reasoning = entry.model_info?.supports_reasoning;
  const common = {
    name: entry.model_name,
    defaults,
    vision: entry.model_info?.supports_vision ?? false,
    ...(reasoning !== undefined && { reasoning }),
    ...(fim && { fim }),
  };
  const refuse = (key: string, message: string) => issues.push({ path: [...at, key], message });

  if (provider === 'openai') {
    if (!api_base) refuse('api_base', "an 'openai/' model needs api_base (the server's URL, up to /v1)");
    if (api_key !== undefined && !NO_KEY.has(api_key.trim().toLowerCase())) {
      refuse(
        'api_key',
        'API keys are not kept in config files: store it in Secrets Manager and set api_key_secret to its name or ARN (or api_key: None for keyless servers)',
      );
    }
    for (const [key, value] of Object.entries({ aws_region_name, model_id, hf_model_name, dialect, chat_template, max_batch })) {
      if (value !== undefined) refuse(key, `'${key}' does not apply to 'openai/' models`);
    }
    return { ...common, provider: 'openai', base_url: api_base ?? 'http://invalid', model: target, ...(api_key_secret && { api_key_secret }) };
  }

  if (provider === 'sagemaker_chat' || provider === 'sagemaker') {
    if (!fields.endpoint.safeParse(target).success) refuse('model', `'${target}' is not a valid SageMaker endpoint name`);
    for (const [key, value] of Object.entries({ api_base, api_key, api_key_secret })) {
      if (value !== undefined) refuse(key, `'${key}' does not apply to SageMaker models (the gateway signs with its IAM role)`);
    }
    // LiteLLM sends `sagemaker/` embeddings as JumpStart's `{"text_inputs"}`.
    if (entry.model_info?.mode === 'embedding') {
      if (chat_template) refuse('chat_template', 'a chat template does not apply to embedding models');
      return {
        ...common,
        provider: 'sagemaker',
        endpoint: target,
        dialect: dialect ?? 'jumpstart-embedding',
        ...(aws_region_name && { region: aws_region_name }),
        ...(model_id && { inference_component: model_id }),
        ...(max_batch && { max_batch }),
      };
    }
    // sagemaker/ is TGI's generate payload; the prompt template follows hf_model_name where it matches.
    const generate = provider === 'sagemaker';
    if (!generate && hf_model_name)
      refuse('hf_model_name', "hf_model_name applies to 'sagemaker/' (generate) models; 'sagemaker_chat/' containers apply their own template");
    const template = chat_template ?? (generate ? (hf_model_name && templateForModelId(hf_model_name)) || 'plain' : undefined);
    return {
      ...common,
      provider: 'sagemaker',
      endpoint: target,
      dialect: dialect ?? (generate ? 'tgi-generate' : 'openai-chat'),
      ...(aws_region_name && { region: aws_region_name }),
      ...(model_id && { inference_component: model_id }),
      ...(template && { chat_template: template }),
      ...(max_batch && { max_batch }), // refused by the model schema: chat models have no batches
    };
  }

  refuse(
    'model',
    `provider '${provider}/' is not supported; sagegate serves 'sagemaker_chat/<endpoint>', 'sagemaker/<endpoint>' and 'openai/<model>' (with api_base)`,
  );
  return { ...common, provider: 'sagemaker', endpoint: 'invalid' };
}
