import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig } from '../../config/load.js';
import { SageGateStack } from '../../lib/sagegate-stack.js';

/** The IAM of SageMaker's OpenAI-compatible route and of models in other accounts, in the synthesized template. */
const ROLE_A = 'arn:aws:iam::210987654321:role/sagegate-invoke';
const ROLE_B = 'arn:aws:iam::333344445555:role/team-b/models';

const CONFIG = `
models:
  - { name: native, endpoint: Native-EP, route: openai }
  - { name: native-ic, endpoint: Shared-EP, inference_component: Qwen-IC, route: openai }
  - { name: classic, endpoint: Classic-EP }
  - { name: remote-a, endpoint: remote-ep, role_arn: "${ROLE_A}" }
  - { name: remote-a-native, endpoint: remote-ep, route: openai, role_arn: "${ROLE_A}", session_name: gw }
  - { name: remote-b, endpoint: other-ep, region: eu-west-1, role_arn: "${ROLE_B}" }
`;

const synth = (config: string, id = 'RouteGate') => {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'sagegate-cdk-')) });
  const stack = new SageGateStack(app, id, { config: parseConfig(config) });
  return { app, template: Template.fromStack(stack) };
};

const statementsOf = (template: Template) =>
  Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, any>[]);
const resourceNames = (resources: unknown) =>
  [resources]
    .flat()
    .map((r) =>
      JSON.stringify(r)
        .match(/:(endpoint|inference-component)\/([\w-]+)/)
        ?.slice(1, 3)
        .join('/'),
    )
    .sort();

describe('a stack with models on the OpenAI-compatible route and in other accounts', () => {
  const { template } = synth(CONFIG);
  const statements = statementsOf(template);

  it('may InvokeEndpoint on the route models’ endpoints and components (no streaming API), and CallWithBearerToken', () => {
    const whole = statements.find((s) => s.Sid === 'InvokeConfiguredModelsWhole')!;
    expect(whole.Action).toBe('sagemaker:InvokeEndpoint');
    expect(resourceNames(whole.Resource)).toEqual(['endpoint/native-ep', 'endpoint/shared-ep', 'inference-component/qwen-ic']);
    const streaming = statements.find((s) => s.Sid === 'InvokeConfiguredModels')!;
    expect(resourceNames(streaming.Resource)).toEqual(['endpoint/classic-ep']);
    expect(statements.find((s) => s.Sid === 'CallWithBearerToken')).toEqual({
      Sid: 'CallWithBearerToken',
      Effect: 'Allow',
      Action: 'sagemaker:CallWithBearerToken',
      Resource: '*',
    });
  });

  it('may assume exactly the models’ roles, and invokes nothing in their accounts itself', () => {
    expect(statements.find((s) => s.Sid === 'AssumeModelRoles')).toEqual({
      Sid: 'AssumeModelRoles',
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Resource: [ROLE_A, ROLE_B],
    });
    expect(JSON.stringify(statements)).not.toMatch(/remote-ep|other-ep/);
  });

  it('outputs the trust policy the other accounts must add, naming the gateway’s role', () => {
    const output = template.findOutputs('TrustPolicy').TrustPolicy!;
    expect(output.Description).toContain(ROLE_A);
    // The role ARN is only known at deploy time: the JSON is joined around it.
    const [, parts] = output.Value['Fn::Join'] as [string, unknown[]];
    const rendered = parts.map((p) => (typeof p === 'string' ? p : '"<gateway role ARN>"')).join('');
    expect(JSON.parse(rendered.replace('""<gateway role ARN>""', '"<gateway role ARN>"'))).toEqual({
      Version: '2012-10-17',
      Statement: [{ Sid: 'SageGateGateway', Effect: 'Allow', Principal: { AWS: '<gateway role ARN>' }, Action: 'sts:AssumeRole' }],
    });
    expect(JSON.stringify(parts)).toMatch(/"Fn::GetAtt":\["GatewayRole[0-9A-F]+","Arn"\]/);
  });

  it("passes cdk-nag's AwsSolutions rules, CallWithBearerToken on * acknowledged with its reason", () => {
    const { app } = synth(CONFIG, 'NagRouteGate');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });
});

describe('a stack whose route models sign with SigV4 and assume no role', () => {
  const { template } = synth('models: [{ name: signed, endpoint: ep, route: openai, route_auth: sigv4 }]', 'SigV4Gate');
  const statements = statementsOf(template);

  it('grants no CallWithBearerToken, no sts:AssumeRole and outputs no trust policy', () => {
    expect(statements.some((s) => JSON.stringify(s.Action).includes('CallWithBearerToken'))).toBe(false);
    expect(statements.some((s) => JSON.stringify(s.Action).includes('sts:'))).toBe(false);
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual(['ApiKeysSecretArn', 'Url', 'UsageTableName']);
  });
});
