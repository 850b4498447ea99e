import { ConfigError, parseConfig } from '../../config/load.js';

/** The config keys of SageMaker's OpenAI-compatible route, assumed roles and stream keep-alives, in both forms. */

function issues(text: string): string[] {
  try {
    parseConfig(text, 'test.yaml', {});
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const ROLE = 'arn:aws:iam::210987654321:role/sagegate-invoke';

describe('route, role and keep-alive settings', () => {
  it('takes them natively', () => {
    const config = parseConfig(`
models:
  - { name: a, endpoint: ep, route: openai, route_auth: sigv4, inference_component: ic, role_arn: "${ROLE}", session_name: gw }
  - { name: b, endpoint: ep, route: invocations }
gateway: { keepalive_seconds: 5 }
`);
    expect(config.models[0]).toMatchObject({
      route: 'openai',
      routeAuth: 'sigv4',
      inferenceComponent: 'ic',
      assumeRole: { roleArn: ROLE, sessionName: 'gw' },
    });
    expect(config.models[1]).not.toHaveProperty('route');
    expect(config.keepaliveSeconds).toBe(5);
    expect(parseConfig('models: [{name: a, endpoint: ep}]').keepaliveSeconds).toBe(15);
  });

  it("takes LiteLLM's aws_role_name and aws_session_name, and the documented extensions route and keepalive_seconds", () => {
    const config = parseConfig(`
model_list:
  - model_name: remote
    litellm_params: { model: sagemaker_chat/remote-ep, aws_role_name: "${ROLE}", aws_session_name: gw, route: openai, model_id: ic }
general_settings: { keepalive_seconds: 0 }
`);
    expect(config.models[0]).toMatchObject({
      endpoint: 'remote-ep',
      route: 'openai',
      inferenceComponent: 'ic',
      assumeRole: { roleArn: ROLE, sessionName: 'gw' },
    });
    expect(config.keepaliveSeconds).toBe(0);
  });

  it('refuses what the OpenAI-compatible route cannot carry, naming the path', () => {
    expect(
      issues(`
models:
  - { name: a, endpoint: ep, route: openai, dialect: tgi-generate, chat_template: llama3 }
  - { name: b, endpoint: ep, route: openai, target_variant: blue, custom_attributes: x }
  - { name: c, endpoint: ep, route: openai, dialect: tei }
  - { name: d, endpoint: ep, route_auth: sigv4, session_name: gw }
  - { name: e, endpoint: ep, role_arn: "arn:aws:iam::12:role/x" }
`).sort(),
    ).toEqual(
      [
        "models.0.route: SageMaker's OpenAI-compatible route serves chat completions only, for openai-chat containers; 'tgi-generate' needs route: invocations",
        'models.1.target_variant: the OpenAI-compatible route takes no target variant; use route: invocations for it',
        'models.1.custom_attributes: the OpenAI-compatible route takes no custom attributes; use route: invocations for them',
        "models.2.route: SageMaker's OpenAI-compatible route serves chat completions only, for openai-chat containers; 'tei' needs route: invocations",
        'models.3.session_name: session_name names the session of an assumed role: set role_arn too',
        'models.3.route_auth: route_auth applies to route: openai (InvokeEndpoint is always signed with SigV4)',
        'models.4.role_arn: expected an IAM role ARN such as arn:aws:iam::123456789012:role/sagegate-invoke',
      ].sort(),
    );
  });

  it('refuses the same mistakes in a LiteLLM config with their LiteLLM paths', () => {
    expect(
      issues(`
model_list:
  - { model_name: a, litellm_params: { model: sagemaker/tgi-ep, route: openai } }
  - { model_name: b, litellm_params: { model: sagemaker_chat/ep, aws_session_name: gw } }
  - { model_name: c, litellm_params: { model: openai/x, api_base: "https://h/v1", aws_role_name: "${ROLE}" } }
  - { model_name: d, litellm_params: { model: sagemaker_chat/ep, aws_access_key_id: AKIA } }
general_settings: { keepalive_seconds: -1 }
`),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^model_list\.3\.litellm_params: sagegate does not support 'aws_access_key_id'/),
        expect.stringMatching(/^general_settings\.keepalive_seconds: /),
      ]),
    );
    expect(
      issues(`
model_list:
  - { model_name: a, litellm_params: { model: sagemaker/tgi-ep, route: openai } }
  - { model_name: b, litellm_params: { model: sagemaker_chat/ep, aws_session_name: gw } }
  - { model_name: c, litellm_params: { model: openai/x, api_base: "https://h/v1", aws_role_name: "${ROLE}" } }
`),
    ).toEqual([
      "model_list.0.litellm_params.route: SageMaker's OpenAI-compatible route serves chat completions only, for openai-chat containers; 'tgi-generate' needs route: invocations",
      'model_list.1.litellm_params.aws_session_name: session_name names the session of an assumed role: set role_arn too',
      "model_list.2.litellm_params.aws_role_name: 'aws_role_name' does not apply to OpenAI-compatible models",
    ]);
  });
});
