import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig } from '../../config/load.js';
import { SageGateStack } from '../../lib/sagegate-stack.js';

const CONFIG = `
models:
  - { name: qwen-vl, endpoint: Qwen25-VL-Endpoint, region: eu-west-2, vision: true }
  - { name: llama, endpoint: shared-endpoint, inference_component: Llama-IC }
  - { name: llama-again, endpoint: shared-endpoint, inference_component: Llama-IC }
  - { name: bge, endpoint: BGE-TEI, dialect: tei }
  - { name: flan, endpoint: flan-jumpstart, dialect: jumpstart-text, chat_template: plain }
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

  it('may invoke exactly the configured endpoints and inference components (ARN names lower-cased), streaming only where models stream', () => {
    const statements = template.findResources('AWS::IAM::Policy');
    const all = Object.values(statements).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const invoke = all.filter((s) => JSON.stringify(s.Action).includes('sagemaker:'));
    expect(invoke).toHaveLength(2);
    expect(invoke[0].Action).toEqual(['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointWithResponseStream']);
    const arn = (region: unknown, resource: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':sagemaker:',
          ...(typeof region === 'string' ? [`${region}:`] : [region, ':']),
          { Ref: 'AWS::AccountId' },
          `:${resource}`,
        ].reduce(merge, []),
      ],
    });
    expect(invoke[0].Resource).toEqual([
      arn('eu-west-2', 'endpoint/qwen25-vl-endpoint'),
      arn({ Ref: 'AWS::Region' }, 'endpoint/shared-endpoint'),
      arn({ Ref: 'AWS::Region' }, 'inference-component/llama-ic'),
    ]);
    // An embedding model and a container that cannot stream: InvokeEndpoint only.
    expect(invoke[1]).toMatchObject({ Sid: 'InvokeConfiguredModelsWhole', Action: 'sagemaker:InvokeEndpoint' });
    expect(invoke[1].Resource).toEqual([arn({ Ref: 'AWS::Region' }, 'endpoint/bge-tei'), arn({ Ref: 'AWS::Region' }, 'endpoint/flan-jumpstart')]);
  });

  it('may read only its own secret, and only with GetSecretValue', () => {
    const all = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const secrets = all.filter((s) => JSON.stringify(s.Action).includes('secretsmanager:'));
    expect(secrets).toEqual([
      { Sid: 'ReadApiKeys', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: expect.stringMatching(/^GatewayApiKeys/) } },
    ]);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'master_key', ExcludePunctuation: true }),
    });
  });

  it('keeps logs for the configured period and outputs the URL and the secret ARN', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
    const outputs = template.findOutputs('*');
    // Stable names: the admin CLI looks the secret up by this output.
    expect(Object.keys(outputs).sort()).toEqual(['ApiKeysSecretArn', 'Url', 'UsageTableName']);
  });

  it('bundles the config into the handler, with the master key only as its hash', () => {
    const assembly = app.synth();
    const assets = readdirSync(assembly.directory).filter((d) => d.startsWith('asset.'));
    const bundle = assets.map((d) => join(assembly.directory, d, 'index.mjs')).map((f) => readFileSync(f, 'utf8'))[0]!;
    expect(bundle).toContain('Qwen25-VL-Endpoint');
    expect(bundle).not.toContain('sk-literal-master-key-in-config');
    // Every feature of this config is in (prompt templates, images, usage on DynamoDB, the Responses API):
    // the bound keeps growth visible (docs/performance.md: what the bundle holds and costs at cold start).
    expect(bundle.length).toBeLessThan(600 * 1024);
    // Lambda gives a function its credentials in the environment: no profile, SSO or web-identity chain.
    expect(bundle).toContain('AWS_SESSION_TOKEN');
    expect(bundle).not.toMatch(/AWS_WEB_IDENTITY_TOKEN_FILE|sso_start_url/);
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
      {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':secretsmanager:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':secret:sagegate/glm-key-??????',
          ],
        ],
      },
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
        config: parseConfig(
          `models: [{name: m, provider: openai, base_url: "https://h/v1", model: m}]\n${auth}\ndeploy: {function_url_auth: aws_iam}`,
        ),
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

describe('production settings', () => {
  const config = parseConfig(`
models:
  - { name: qwen-vl, endpoint: qwen-endpoint, vision: true }
  - { name: hosted, provider: openai, base_url: "https://api.example.com/v1", model: m, api_key_secret: upstream-key }
deploy:
  reserved_concurrency: 50
  tracing: true
  timeout_seconds: 600
  alarm_topic_arn: arn:aws:sns:eu-west-2:111122223333:ops
  vpc:
    vpc_id: vpc-0abc12345def67890
    subnet_ids: [subnet-0aaa1111bbb22222c, subnet-0ddd3333eee44444f]
    security_group_ids: [sg-0123456789abcdef0]
`);

  const nag = (build: (app: App) => void) => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'sagegate-cdk-')) });
    build(app);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    return () => app.synth();
  };

  it("passes cdk-nag's AwsSolutions rules, every deliberate finding acknowledged with a reason", () => {
    expect(nag((app) => new SageGateStack(app, 'NagGate', { config }))).not.toThrow();
  });

  it('(and the check bites: an unacknowledged finding fails the synth)', () => {
    expect(nag((app) => new secretsmanager.Secret(new Stack(app, 'Bare'), 'Unrotated'))).toThrow(/AwsSolutions-SMG4/);
  });

  const template = Template.fromStack(new SageGateStack(new App({ outdir: mkdtempSync(join(tmpdir(), 'sagegate-cdk-')) }), 'ProdGate', { config }));

  it('applies reserved concurrency and X-Ray tracing, and uses no AWS managed policy', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 50, TracingConfig: { Mode: 'Active' } });
    const roles = Object.values(template.findResources('AWS::IAM::Role'));
    expect(roles.flatMap((r) => r.Properties.ManagedPolicyArns ?? [])).toEqual([]);
    const logs = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .find((s) => s.Sid === 'WriteLogs');
    expect(logs.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^GatewayLogs/), 'Arn'] });
  });

  it('runs in the configured subnets and security groups, creating no network, with the ENI permissions Lambda needs', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: { SubnetIds: ['subnet-0aaa1111bbb22222c', 'subnet-0ddd3333eee44444f'], SecurityGroupIds: ['sg-0123456789abcdef0'] },
    });
    for (const type of ['AWS::EC2::VPC', 'AWS::EC2::Subnet', 'AWS::EC2::SecurityGroup', 'AWS::EC2::NatGateway']) template.resourceCountIs(type, 0);
    const eni = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .find((s) => s.Sid === 'AttachToVpc');
    expect(eni.Action).toEqual(expect.arrayContaining(['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:DescribeNetworkInterfaces']));
    expect(eni.Resource).toBe('*');
  });

  it('creates a dashboard and alarms for crashes, throttles, slow responses, upstream failures and 429s, sent to the topic', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    expect(alarms.map((a) => a.MetricName).sort()).toEqual([
      'Duration',
      'Errors',
      'MeteringFailures',
      'ServerErrors',
      'Throttled',
      'Throttles',
      'UsageStoreErrors',
    ]);
    expect(alarms.find((a) => a.MetricName === 'Duration')).toMatchObject({ ExtendedStatistic: 'p99', Threshold: 480000 });
    expect(alarms.every((a) => JSON.stringify(a.AlarmActions) === JSON.stringify(['arn:aws:sns:eu-west-2:111122223333:ops']))).toBe(true);
  });
});

describe('the usage table', () => {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'sagegate-cdk-')) });
  const template = Template.fromStack(new SageGateStack(app, 'UsageGate', { config: parseConfig('models: [{name: m, endpoint: e}]') }));
  const statements = () => Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);

  it('is on-demand, encrypted, point-in-time recoverable, expires old rows by TTL and survives the stack', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        DeletionProtectionEnabled: true,
      },
    });
  });

  it('gives the function exactly UpdateItem, GetItem and Query, and PutItem/DeleteItem only on stored responses', () => {
    const dynamo = statements().filter((s) => JSON.stringify(s.Action).includes('dynamodb:'));
    const table = { 'Fn::GetAtt': [expect.stringMatching(/^GatewayUsage/), 'Arn'] };
    expect(dynamo).toEqual([
      { Sid: 'CountUsage', Effect: 'Allow', Action: ['dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:Query'], Resource: table },
      {
        Sid: 'StoreResponses',
        Effect: 'Allow',
        Action: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
        Resource: table,
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['response#*'] } },
      },
    ]);
  });

  it("names the table in the function's environment and in the UsageTableName output (the CLI finds it there)", () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SAGEGATE_USAGE_TABLE: { Ref: Match.stringLikeRegexp('^GatewayUsage') } }) },
    });
    expect(template.findOutputs('UsageTableName').UsageTableName!.Value).toEqual({ Ref: expect.stringMatching(/^GatewayUsage/) });
  });

  it('alarms when the table cannot be reached or a request could not be counted, and graphs usage by key and model', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    expect(alarms.find((a) => a.MetricName === 'UsageStoreErrors')).toMatchObject({ Namespace: 'SageGate', Threshold: 1 });
    expect(alarms.find((a) => a.MetricName === 'MeteringFailures')).toMatchObject({ Namespace: 'SageGate', Threshold: 1 });
    const dashboard = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]);
    expect(dashboard).toContain('SEARCH(');
    expect(dashboard).toContain('Service,Key');
    expect(dashboard).toContain('Service,Model');
  });
});
