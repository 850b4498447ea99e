import { readFileSync } from 'node:fs';
import { ConfigError, configNotices, parseConfig } from '../../config/load.js';
import { sha256Hex } from '../../lambda/auth/key-hash.js';
import type { SageMakerModel } from '../../lambda/config/config.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/configs/${name}`, import.meta.url), 'utf8');

function configError(text: string, env: NodeJS.ProcessEnv = {}): ConfigError {
  try {
    parseConfig(text, 'test.yaml', env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('native config', () => {
  it('normalises a full model entry and hashes the master key from the environment', () => {
    const config = parseConfig(
      `
models:
  - name: qwen-vl
    endpoint: qwen25-vl-7b
    region: eu-west-2
    inference_component: qwen-ic
    target_variant: blue
    custom_attributes: "trace=1"
    served_model_name: Qwen/Qwen2.5-VL-7B-Instruct
    vision: true
    defaults: { temperature: 0.2, max_tokens: 500 }
auth:
  master_key: os.environ/GATEWAY_KEY
`,
      'x.yaml',
      { GATEWAY_KEY: 'sk-secret' },
    );
    expect(config.models[0]).toEqual({
      id: 'qwen-vl',
      name: 'qwen-vl',
      provider: 'sagemaker',
      endpoint: 'qwen25-vl-7b',
      region: 'eu-west-2',
      inferenceComponent: 'qwen-ic',
      targetVariant: 'blue',
      customAttributes: 'trace=1',
      servedModelName: 'Qwen/Qwen2.5-VL-7B-Instruct',
      dialect: 'openai-chat',
      defaults: { temperature: 0.2, max_tokens: 500 },
      vision: true,
      // The Qwen-VL preset, recognised from the model's names.
      images: { minSide: 56, maxPixels: 12_845_056, maxAspectRatio: 200, maxImages: 10, format: 'keep', quality: 90 },
    });
    expect(config.auth.masterKeySha256).toBe(sha256Hex('sk-secret'));
    expect(JSON.stringify(config)).not.toContain('sk-secret');
    expect(config.deploy).toEqual({
      stackName: 'SageGate',
      memoryMb: 512,
      timeoutSeconds: 900,
      logRetentionDays: 30,
      functionUrlAuth: 'none',
      tracing: false,
    });
  });

  it('names the exact path of every mistake', () => {
    const error = configError(`
models:
  - name: ok
    endpoint: fine
  - name: bad
    endpoint: "not_valid!"
    temprature: 0.1
deploy:
  log_retention_days: 31
`);
    const paths = error.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['models.1.endpoint', 'models.1', 'deploy.log_retention_days']));
    expect(error.message).toContain("models[1]: sagegate does not support 'temprature' here");
    expect(error.message).toContain('models[1].endpoint: not a valid SageMaker endpoint name');
  });

  it('refuses a deployment id used twice, a group mixing chat and embeddings, and a master key variable that is not set', () => {
    expect(configError('models: [{name: a, endpoint: e1, id: x}, {name: b, endpoint: e2, id: x}]').message).toContain(
      "models[1].id: deployment id 'x' is used twice",
    );
    expect(configError('models: [{name: a, endpoint: e1}, {name: a, endpoint: e2, dialect: tei}]').message).toContain(
      "models[1].dialect: the deployments of 'a' must all be chat models or all embedding models",
    );
    expect(configError('models: [{name: a, endpoint: e1}]\nauth: {master_key: os.environ/NOPE}').message).toContain(
      'auth.master_key: environment variable NOPE is not set',
    );
  });

  it('takes a VPC placement and names a malformed id', () => {
    const vpc = 'vpc: {vpc_id: vpc-0abc12345def67890, subnet_ids: [subnet-0aaa1111bbb22222c], security_group_ids: [sg-0123456789abcdef0]}';
    expect(parseConfig(`models: [{name: a, endpoint: e}]\ndeploy: {${vpc}}`).deploy.vpc).toEqual({
      vpcId: 'vpc-0abc12345def67890',
      subnetIds: ['subnet-0aaa1111bbb22222c'],
      securityGroupIds: ['sg-0123456789abcdef0'],
    });
    expect(configError(`models: [{name: a, endpoint: e}]\ndeploy: {${vpc.replace('subnet-0aaa1111bbb22222c', 'private-a')}}`).message).toContain(
      'deploy.vpc.subnet_ids[0]: expected a subnet id such as subnet-0abc12345def67890',
    );
  });

  it('reports YAML syntax errors with their line', () => {
    expect(configError('models: [\n  - name: a\n').message).toMatch(/not valid YAML: .*line/);
  });
});

describe('LiteLLM config', () => {
  it('translates a Qwen-VL LiteLLM config unchanged', () => {
    const config = parseConfig(fixture('litellm-qwen-vl.yaml'));
    expect((config.models as SageMakerModel[]).map((m) => [m.name, m.endpoint, m.region, m.dialect, m.vision, m.defaults])).toEqual([
      ['qwen-vlm-private', 'your-vpc-endpoint-name', 'eu-west-2', 'openai-chat', true, { temperature: 0.2, max_tokens: 500 }],
      ['qwen-vlm-public', 'your-public-endpoint-name', 'eu-west-2', 'openai-chat', true, { temperature: 0.2, max_tokens: 500 }],
    ]);
    // LiteLLM without a master key serves anyone; so does the local gateway.
    expect(config.auth.disabled).toBe(true);
  });

  it('maps model_id to the inference component and the master key (literal or os.environ/)', () => {
    const yaml = (key: string) => `
model_list:
  - model_name: llama
    litellm_params: { model: sagemaker_chat/llm-endpoint, model_id: llama-ic-1 }
general_settings:
  master_key: ${key}
`;
    const literal = parseConfig(yaml('sk-1234'));
    expect((literal.models[0] as SageMakerModel).inferenceComponent).toBe('llama-ic-1');
    expect(literal.auth).toMatchObject({ disabled: false, masterKeySha256: sha256Hex('sk-1234') });
    expect(parseConfig(yaml('os.environ/LITELLM_MASTER_KEY'), 'x', { LITELLM_MASTER_KEY: 'sk-env' }).auth.masterKeySha256).toBe(sha256Hex('sk-env'));
    expect(configError(yaml('os.environ/MISSING')).message).toContain('general_settings.master_key: environment variable MISSING is not set');
  });

  it('refuses what sagegate does not do, naming the path', () => {
    const error = configError(`
model_list:
  - model_name: glm4-flash
    litellm_params:
      model: sagemaker_chat/glm
      aws_access_key_id: AKIA...
router_settings:
  routing_strategy: usage-based-routing-v2
  redis_host: localhost
general_settings:
  master_key: your-master-key
  database_url: postgres://x
`);
    expect(error.message).toContain("router_settings: sagegate does not support 'redis_host'");
    expect(error.message).toContain("router_settings.routing_strategy: routing strategy 'usage-based-routing-v2' is not supported");
    expect(error.message).toContain("model_list[0].litellm_params: sagegate does not support 'aws_access_key_id'");
    expect(error.message).toContain("general_settings: sagegate does not support 'database_url'");
  });

  it('explains unsupported providers', () => {
    expect(configError('model_list: [{model_name: x, litellm_params: {model: glm-4-flash}}]').message).toContain(
      "model_list[0].litellm_params.model: 'glm-4-flash' names no provider: add api_base",
    );
    expect(configError('model_list: [{model_name: x, litellm_params: {model: bedrock/claude}}]').message).toContain(
      "provider 'bedrock/' is not supported",
    );
  });
});

describe('dialects, templates and upstreams in the config', () => {
  const fixtures = new URL('../fixtures/templates/', import.meta.url).pathname;

  it("maps LiteLLM's sagemaker/ to TGI generate, choosing the template from hf_model_name", () => {
    const config = parseConfig(`
model_list:
  - model_name: llama
    litellm_params: { model: sagemaker/llama-endpoint, hf_model_name: meta-llama/Meta-Llama-3-8B-Instruct }
  - model_name: falcon
    litellm_params: { model: sagemaker/falcon-endpoint, hf_model_name: tiiuae/falcon-7b }
  - model_name: lmi
    litellm_params: { model: sagemaker/lmi-endpoint, dialect: lmi-rolling-batch, chat_template: chatml }
`);
    expect(config.models.map((m) => [m.dialect, m.chatTemplate])).toEqual([
      ['tgi-generate', { builtin: 'llama3' }],
      ['tgi-generate', { builtin: 'plain' }],
      ['lmi-rolling-batch', { builtin: 'chatml' }],
    ]);
  });

  it("takes an anthropic/ model's api_base as LiteLLM users write it: the origin, or the whole messages endpoint", () => {
    const config = parseConfig(`
model_list:
  - model_name: a
    litellm_params: { model: anthropic/claude-sonnet-4-5, api_base: "https://api.anthropic.com" }
  - model_name: b
    litellm_params: { model: anthropic/claude-sonnet-4-5, api_base: "https://api.anthropic.com/v1/messages" }
  - model_name: c
    litellm_params: { model: anthropic/claude-sonnet-4-5, api_base: "https://proxy.example.com/v1/" }
`);
    expect(config.models.map((m) => (m as { baseUrl?: string }).baseUrl)).toEqual([
      'https://api.anthropic.com/v1',
      'https://api.anthropic.com/v1',
      'https://proxy.example.com/v1',
    ]);
  });

  it("maps LiteLLM's openai/ with api_base to an OpenAI-compatible upstream, keyless or with a secret", () => {
    const config = parseConfig(`
model_list:
  - model_name: gpt-3.5-turbo
    litellm_params: { model: openai/vicuna-13b, api_base: "http://host.docker.internal:20080/v1", api_key: None }
  - model_name: hosted
    litellm_params: { model: openai/glm-4-flash, api_base: "https://api.example.com/v1", api_key_secret: sagegate/glm-key }
`);
    expect(config.models).toEqual([
      {
        id: 'gpt-3.5-turbo',
        name: 'gpt-3.5-turbo',
        provider: 'openai',
        dialect: 'openai-chat',
        baseUrl: 'http://host.docker.internal:20080/v1',
        servedModelName: 'vicuna-13b',
        defaults: {},
        vision: false,
      },
      {
        id: 'hosted',
        name: 'hosted',
        provider: 'openai',
        dialect: 'openai-chat',
        baseUrl: 'https://api.example.com/v1',
        servedModelName: 'glm-4-flash',
        apiKeySecret: 'sagegate/glm-key',
        defaults: {},
        vision: false,
      },
    ]);
  });

  it('takes an upstream key from the config for local serving (a literal one with a notice), and names a missing variable', () => {
    const config = parseConfig(
      `
model_list:
  - model_name: a
    litellm_params: { model: openai/x, api_base: "https://h/v1", api_key: sk-live-123 }
  - model_name: b
    litellm_params: { model: openai/y, api_base: "https://h/v1", api_key: os.environ/UPSTREAM_KEY }
`,
      'test.yaml',
      { UPSTREAM_KEY: 'sk-from-env' },
    );
    expect(config.models.map((m) => m.provider === 'openai' && m.apiKey)).toEqual(['sk-live-123', 'sk-from-env']);
    const notices = configNotices(config).join('\n');
    expect(notices).toContain("model 'a': its API key is written in the config");
    expect(notices).not.toContain('sk-live-123');
    expect(
      configError('model_list: [{model_name: a, litellm_params: {model: hosted_vllm/x, api_base: "https://h/v1", api_key: os.environ/NOPE}}]')
        .message,
    ).toContain('model_list[0].litellm_params.api_key: environment variable NOPE is not set');
  });

  it('reads a template file relative to the config, and reports one that does not compile', () => {
    const ok = parseConfig(
      `models: [{name: phi, endpoint: phi, dialect: tgi-generate, chat_template: {file: phi3.jinja, stop: ["<|end|>"]}}]`,
      'x',
      {},
      fixtures,
    );
    expect(ok.models[0]!.chatTemplate).toEqual({ source: expect.stringContaining("'<|assistant|>\\n'"), stop: ['<|end|>'] });
    expect(
      configError(`models: [{name: a, endpoint: a, dialect: tgi-generate, chat_template: {inline: "{% for m in messages %}"}}]`).message,
    ).toMatch(/models\[0\]\.chat_template: the template does not compile/);
    expect(configError(`models: [{name: a, endpoint: a, dialect: tgi-generate, chat_template: {file: nope.jinja}}]`).message).toContain(
      'cannot read template file nope.jinja: ENOENT',
    );
  });

  it('refuses a chat template on an openai-chat model, and an unknown provider', () => {
    expect(configError('models: [{name: a, endpoint: a, chat_template: chatml}]').message).toContain(
      'models[0].chat_template: a chat template applies to',
    );
    expect(configError('models: [{name: a, provider: bedrock, endpoint: a}]').message).toContain(
      "models[0].provider: provider must be 'sagemaker' or 'openai'",
    );
  });
});

describe('embedding models in the config', () => {
  it('takes an embedding dialect, natively and from LiteLLM (mode: embedding), and refuses chat-only settings on it', () => {
    const native = parseConfig('models: [{name: bge, endpoint: tei-ep, dialect: tei}]');
    expect(native.models[0]).toMatchObject({ name: 'bge', provider: 'sagemaker', endpoint: 'tei-ep', dialect: 'tei' });
    const litellm = parseConfig('model_list: [{model_name: e5, litellm_params: {model: sagemaker/e5-ep}, model_info: {mode: embedding}}]');
    expect(litellm.models[0]).toMatchObject({ name: 'e5', endpoint: 'e5-ep', dialect: 'jumpstart-embedding' });
    expect(litellm.models[0]).not.toHaveProperty('chatTemplate');
    expect(configError('models: [{name: a, endpoint: a, dialect: tei, vision: true}]').message).toContain(
      "models[0].vision: vision applies to chat models; 'tei' is an embedding dialect",
    );
    expect(configError('models: [{name: a, endpoint: a, dialect: tei, chat_template: chatml}]').message).toContain(
      'models[0].chat_template: a chat template applies to',
    );
    expect(parseConfig('models: [{name: bge, endpoint: tei-ep, dialect: tei, max_batch: 128}]').models[0]).toMatchObject({ maxBatch: 128 });
    expect(configError('models: [{name: a, endpoint: a, max_batch: 8}]').message).toContain(
      "models[0].max_batch: max_batch applies to embedding models; 'openai-chat' is a chat dialect",
    );
    expect(configError('model_list: [{model_name: a, litellm_params: {model: sagemaker/a}, model_info: {mode: completion}}]').message).toContain(
      "model_list[0].model_info.mode: only 'chat' and 'embedding' models are supported",
    );
  });
});

describe('parameters a container cannot honour', () => {
  it('refuses a default the dialect cannot honour, unless the model drops such parameters', () => {
    const error = configError(`
models:
  - { name: js, endpoint: e, dialect: jumpstart-text, defaults: { presence_penalty: 0.5 } }
  - { name: tgi, endpoint: e, dialect: tgi-generate, defaults: { temperature: 0.1, presence_penalty: 0.5 } }
  - { name: ok, endpoint: e, dialect: tgi-generate, drop_params: true, defaults: { presence_penalty: 0.5 } }
  - { name: vllm, endpoint: e, defaults: { presence_penalty: 0.5 } }
`);
    expect(error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      "models.0.defaults.presence_penalty: the jumpstart-text dialect cannot honour 'presence_penalty' (set drop_params: true to have it dropped)",
      "models.1.defaults.presence_penalty: the tgi-generate dialect cannot honour 'presence_penalty' (set drop_params: true to have it dropped)",
    ]);
  });

  it("takes LiteLLM's drop_params from litellm_settings (every model) and per model", () => {
    const config = parseConfig(`
model_list:
  - { model_name: a, litellm_params: { model: sagemaker/ep-a } }
  - { model_name: b, litellm_params: { model: sagemaker/ep-b, drop_params: false } }
litellm_settings:
  drop_params: true
`);
    expect(config.models.map((m) => m.dropParams)).toEqual([true, undefined]);
  });
});

describe('thinking, fill-in-the-middle and TGI chat in the config', () => {
  it('takes reasoning and fim natively and from LiteLLM (model_info.supports_reasoning), and names a bad value', () => {
    const native = parseConfig('models: [{ name: r1, endpoint: r1, reasoning: true, fim: deepseek, dialect: tgi-chat }]');
    expect(native.models[0]).toMatchObject({ reasoning: true, fim: 'deepseek', dialect: 'tgi-chat' });
    const litellm = parseConfig(
      'model_list:\n  - model_name: qwq\n    litellm_params: { model: sagemaker_chat/qwq, fim: qwen }\n    model_info: { supports_reasoning: true }\n',
    );
    expect(litellm.models[0]).toMatchObject({ reasoning: true, fim: 'qwen' });
    expect(configError('models: [{ name: a, endpoint: a, fim: gpt }]').message).toContain('models[0].fim');
    expect(configError('models: [{ name: a, endpoint: a, dialect: tgi-chat, chat_template: chatml }]').message).toContain('models[0].chat_template');
  });
});
