import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../lambda/config/load.js';
import { SageGateStack } from '../../lib/sagegate-stack.js';

const CONFIG = `
models:
  - { name: qwen-vl, endpoint: Qwen25-VL-Endpoint, region: eu-west-2, vision: true }
  - { name: llama, endpoint: shared-endpoint, inference_component: Llama-IC }
  - { name: llama-again, endpoint: shared-endpoint, inference_component: Llama-IC }
auth:
  master_key: sk-literal-master-key-in-config
deploy:
  stack_name: TestGate
  memory_mb: 1024
  timeout_seconds: 600
  log_retention_days: 14
  cors: { allow_origins: ["https://app.example.com"] }
`;

describe('the synthesized stack', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'sagegate-cdk-'));
  const app = new App({ outdir });
  const stack = new SageGateStack(app, 'TestGate', { config: parseConfig(CONFIG) });
  const template = Template.fromStack(stack);

  it('serves a streaming Function URL with CORS for the configured origins', () => {
    template.hasResourceProperties('AWS::Lambda::Url', {
      InvokeMode: 'RESPONSE_STREAM',
      AuthType: 'NONE',
      Cors: Match.objectLike({ AllowOrigins: ['https://app.example.com'], AllowMethods: ['GET', 'POST'] }),
    });
  });

  it('runs nodejs22.x on arm64 with the configured memory and timeout, and the key store in its environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 1024,
      Timeout: 600,
      Environment: { Variables: { SAGEGATE_KEYS_SECRET: { Ref: Match.stringLikeRegexp('ApiKeys') } } },
    });
  });

  it('may invoke exactly the configured endpoints and inference components (ARN names lower-cased)', () => {
    const statements = template.findResources('AWS::IAM::Policy');
    const all = Object.values(statements).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const invoke = all.filter((s) => JSON.stringify(s.Action).includes('sagemaker:'));
    expect(invoke).toHaveLength(1);
    expect(invoke[0].Action).toEqual(['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointWithResponseStream']);
    const arn = (region: unknown, resource: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:', ...(typeof region === 'string' ? [`${region}:`] : [region, ':']), { Ref: 'AWS::AccountId' }, `:${resource}`].reduce(merge, [])],
    });
    expect(invoke[0].Resource).toEqual([
      arn('eu-west-2', 'endpoint/qwen25-vl-endpoint'),
      arn({ Ref: 'AWS::Region' }, 'endpoint/shared-endpoint'),
      arn({ Ref: 'AWS::Region' }, 'inference-component/llama-ic'),
    ]);
  });

  it('may read only its own secret, and only with GetSecretValue', () => {
    const all = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const secrets = all.filter((s) => JSON.stringify(s.Action).includes('secretsmanager:'));
    expect(secrets).toEqual([{ Sid: 'ReadApiKeys', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: expect.stringMatching(/^GatewayApiKeys/) } }]);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'master_key', ExcludePunctuation: true }),
    });
  });

  it('keeps logs for the configured period and outputs the URL and the secret ARN', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
    const outputs = template.findOutputs('*');
    // Stable names: the admin CLI looks the secret up by this output.
    expect(Object.keys(outputs).sort()).toEqual(['ApiKeysSecretArn', 'Url']);
  });

  it('bundles the config into the handler, with the master key only as its hash', () => {
    const assembly = app.synth();
    const assets = readdirSync(assembly.directory).filter((d) => d.startsWith('asset.'));
    const bundle = assets.map((d) => join(assembly.directory, d, 'index.mjs')).map((f) => readFileSync(f, 'utf8'))[0]!;
    expect(bundle).toContain('Qwen25-VL-Endpoint');
    expect(bundle).not.toContain('sk-literal-master-key-in-config');
    expect(bundle.length).toBeLessThan(600 * 1024);
  });

  it("installs sharp's linux-arm64 build beside the bundle, since a model takes images", () => {
    const assembly = app.synth();
    const asset = readdirSync(assembly.directory).find((d) => d.startsWith('asset.') && existsSync(join(assembly.directory, d, 'index.mjs')))!;
    const modules = join(assembly.directory, asset, 'node_modules');
    expect(existsSync(join(modules, 'sharp', 'package.json'))).toBe(true);
    expect(readdirSync(join(modules, '@img'))).toEqual(expect.arrayContaining(['sharp-linux-arm64', 'sharp-libvips-linux-arm64']));
    expect(readdirSync(join(modules, '@img')).some((d) => d.includes('x64'))).toBe(false);
  });
});

/** Adjacent string pieces of an Fn::Join are merged by CDK; do the same for the expectation. */
function merge(acc: unknown[], part: unknown): unknown[] {
  if (typeof part === 'string' && typeof acc.at(-1) === 'string') acc[acc.length - 1] = (acc.at(-1) as string) + part;
  else acc.push(part);
  return acc;
}

describe('a stack with OpenAI-compatible upstreams', () => {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'sagegate-cdk-')) });
  const config = parseConfig(`
models:
  - { name: hosted, provider: openai, base_url: "https://api.example.com/v1", model: glm-4-flash, api_key_secret: sagegate/glm-key }
  - { name: arn-key, provider: openai, base_url: "https://other.example.com/v1", model: m, api_key_secret: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:upstream-AbCdEf" }
  - { name: keyless, provider: openai, base_url: "http://10.0.0.5:8000/v1", model: vicuna }
`);
  const template = Template.fromStack(new SageGateStack(app, 'UpstreamGate', { config }));
  const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);

  it('may read exactly the upstream key secrets, by ARN or by name with its suffix', () => {
    const upstream = statements.find((s) => s.Sid === 'ReadUpstreamApiKeys');
    expect(upstream.Action).toBe('secretsmanager:GetSecretValue');
    expect(upstream.Resource).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':secret:sagegate/glm-key-??????']] },
      'arn:aws:secretsmanager:eu-west-1:111122223333:secret:upstream-AbCdEf',
    ]);
  });

  it('grants no SageMaker access when no model is on SageMaker', () => {
    expect(statements.some((s) => JSON.stringify(s.Action).includes('sagemaker:'))).toBe(false);
  });
});

describe('a stack behind AWS_IAM', () => {
  const synth = (auth: string) =>
    Template.fromStack(
      new SageGateStack(new App({ outdir: mkdtempSync(join(tmpdir(), 'sagegate-cdk-')) }), 'IamGate', {
        config: parseConfig(`models: [{name: m, provider: openai, base_url: "https://h/v1", model: m}]\n${auth}\ndeploy: {function_url_auth: aws_iam}`),
      }),
    );

  it('serves the URL with AWS_IAM auth and no public invoke permission', () => {
    const template = synth('');
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM', InvokeMode: 'RESPONSE_STREAM' });
    expect(Object.values(template.findResources('AWS::Lambda::Permission')).some((p) => p.Properties.Principal === '*')).toBe(false);
    // API keys are still checked on top of IAM...
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { SAGEGATE_KEYS_SECRET: Match.anyValue() } } });
  });

  it('...unless the config switches keys off, leaving IAM as the only check', () => {
    const env = Object.values(synth('auth: {disabled: true}').findResources('AWS::Lambda::Function'))[0]!.Properties.Environment;
    expect(env?.Variables?.SAGEGATE_KEYS_SECRET).toBeUndefined();
  });
});
