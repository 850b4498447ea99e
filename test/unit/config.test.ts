import { readFileSync } from 'node:fs';
import { ConfigError, parseConfig } from '../../lambda/config/load.js';
import { sha256Hex } from '../../lambda/auth/key-hash.js';
import type { SageMakerModel } from '../../lambda/config/types.js';

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
    });
    expect(config.auth.masterKeySha256).toBe(sha256Hex('sk-secret'));
    expect(JSON.stringify(config)).not.toContain('sk-secret');
    expect(config.deploy).toEqual({ stackName: 'SageGate', memoryMb: 512, timeoutSeconds: 900, logRetentionDays: 30 });
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

  it('refuses duplicate model names and a master key variable that is not set', () => {
    expect(configError('models: [{name: a, endpoint: e1}, {name: a, endpoint: e2}]').message).toContain("models[1].name: duplicate model name 'a'");
    expect(configError('models: [{name: a, endpoint: e1}]\nauth: {master_key: os.environ/NOPE}').message).toContain(
      'auth.master_key: environment variable NOPE is not set',
    );
  });

  it('reports YAML syntax errors with their line', () => {
    expect(configError('models: [\n  - name: a\n').message).toMatch(/not valid YAML: .*line/);
  });
});

describe('LiteLLM config', () => {
  it("translates seed 000's config unchanged", () => {
    const config = parseConfig(fixture('seed-000-litellm.yaml'));
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
  fallbacks: [gpt-4]
general_settings:
  master_key: your-master-key
  max_budget: 100
`);
    expect(error.message).toContain("(top level): sagegate does not support 'router_settings'");
    expect(error.message).toContain("model_list[0].litellm_params: sagegate does not support 'aws_access_key_id'");
    expect(error.message).toContain("general_settings: sagegate does not support 'max_budget'");
  });

  it('explains unsupported providers', () => {
    expect(configError('model_list: [{model_name: x, litellm_params: {model: glm-4-flash}}]').message).toContain(
      "model_list[0].litellm_params.model: expected '<provider>/<name>'",
    );
    expect(configError('model_list: [{model_name: x, litellm_params: {model: bedrock/claude}}]').message).toContain(
      "provider 'bedrock/' is not supported",
    );
  });
});
