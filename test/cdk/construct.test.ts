import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig } from '../../config/load.js';
import { SageGateGateway } from '../../lib/sagegate-gateway.js';

/** SageGateGateway in a stack of one's own, as a CDK user writes it (docs/construct.md). */
const ENV = { account: '123456789012', region: 'us-east-1' };
const newApp = () => new App({ outdir: mkdtempSync(join(tmpdir(), 'sagegate-construct-')) });
const statementsOf = (template: Template) =>
  Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, any>[]);

describe('two gateways in one stack', () => {
  const app = newApp();
  const stack = new Stack(app, 'Platform', { env: ENV });
  const chat = new SageGateGateway(stack, 'Chat', { config: parseConfig('models: [{ name: llama, endpoint: chat-ep }]') });
  const embed = new SageGateGateway(stack, 'Embed', { config: parseConfig('models: [{ name: bge, endpoint: embed-ep, dialect: tei }]') });
  const template = Template.fromStack(stack);

  it('synthesise side by side, each with its own function, URL, role, key store, usage table, logs and dashboard', () => {
    for (const [type, count] of [
      ['AWS::Lambda::Function', 2],
      ['AWS::Lambda::Url', 2],
      ['AWS::IAM::Role', 2],
      ['AWS::SecretsManager::Secret', 2],
      ['AWS::DynamoDB::Table', 2],
      ['AWS::Logs::LogGroup', 2],
      ['AWS::CloudWatch::Dashboard', 2],
    ] as const) {
      expect(Object.keys(template.findResources(type))).toHaveLength(count);
    }
    expect(Stack.of(chat).resolve(chat.function.functionArn)).not.toEqual(Stack.of(embed).resolve(embed.function.functionArn));
  });

  it('each may invoke only its own endpoint', () => {
    const invoke = statementsOf(template).filter((s) => JSON.stringify(s.Action).includes('sagemaker:'));
    const named = invoke.map((s) => [s.Sid, JSON.stringify(s.Resource).match(/:sagemaker:[^"]*/)?.[0]]);
    expect(named).toEqual([
      ['InvokeConfiguredModels', ':sagemaker:us-east-1:123456789012:endpoint/chat-ep'],
      ['InvokeConfiguredModelsWhole', ':sagemaker:us-east-1:123456789012:endpoint/embed-ep'],
    ]);
  });

  it('create no outputs of their own: the stack that holds them names its outputs', () => {
    expect(template.findOutputs('*')).toEqual({});
  });
});

describe('props win over the config, and existing resources are used as given', () => {
  const app = newApp();
  const stack = new Stack(app, 'Bring', { env: ENV });
  const vpc = new ec2.Vpc(stack, 'Network', { maxAzs: 2, natGateways: 1 });
  const securityGroup = new ec2.SecurityGroup(stack, 'GatewaySg', { vpc });
  const table = dynamodb.Table.fromTableName(stack, 'Table', 'shared-usage');
  const keyStore = secretsmanager.Secret.fromSecretNameV2(stack, 'Keys', 'team/sagegate-keys');
  const config = parseConfig(`
models: [{ name: llama, endpoint: chat-ep }]
deploy: { memory_mb: 1024, timeout_seconds: 600, log_retention_days: 14, reserved_concurrency: 5 }
`);
  new SageGateGateway(stack, 'Gateway', {
    config,
    memorySize: 2048,
    timeout: Duration.minutes(5),
    reservedConcurrentExecutions: 20,
    logRetention: logs.RetentionDays.THREE_MONTHS,
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    securityGroups: [securityGroup],
    usageTable: table,
    apiKeys: keyStore,
  });
  const template = Template.fromStack(stack);

  it('sets memory, timeout, reserved concurrency and log retention from the props', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 2048, Timeout: 300, ReservedConcurrentExecutions: 20 });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it("runs in the given VPC's private subnets with the given security group, and may attach to them", () => {
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0]!;
    const vpcConfig = fn.Properties.VpcConfig;
    expect(vpcConfig.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^GatewaySg/), 'GroupId'] }]);
    expect(vpcConfig.SubnetIds.map((s: { Ref: string }) => s.Ref)).toEqual([
      expect.stringMatching(/^NetworkPrivateSubnet1/),
      expect.stringMatching(/^NetworkPrivateSubnet2/),
    ]);
    expect(statementsOf(template).find((s) => s.Sid === 'AttachToVpc')).toBeDefined();
  });

  it('creates no table and no secret: the function uses, and may use, the given ones only', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    const statements = statementsOf(template);
    expect(JSON.stringify(statements.find((s) => s.Sid === 'CountUsage')!.Resource)).toContain(':table/shared-usage');
    // Imported by name: the ARN's six-character suffix is matched, exactly as Secrets Manager appends it.
    expect(JSON.stringify(statements.find((s) => s.Sid === 'ReadApiKeys')!.Resource)).toContain(':secret:team/sagegate-keys-??????');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { SAGEGATE_KEYS_SECRET: 'team/sagegate-keys', SAGEGATE_USAGE_TABLE: 'shared-usage' } },
    });
  });

  it("still passes cdk-nag's AwsSolutions rules", () => {
    const nagApp = newApp();
    const nagStack = new Stack(nagApp, 'NagBring', { env: ENV });
    new SageGateGateway(nagStack, 'Gateway', {
      config,
      usageTable: dynamodb.Table.fromTableName(nagStack, 'Table', 'shared-usage'),
      apiKeys: secretsmanager.Secret.fromSecretNameV2(nagStack, 'Keys', 'team/sagegate-keys'),
    });
    Validations.of(nagApp).addPlugins(new AwsSolutionsChecks(nagApp));
    expect(() => nagApp.synth()).not.toThrow();
  });

  it("warns that the config's deploy.vpc is not used when the vpc prop is given", () => {
    const other = new Stack(newApp(), 'Both', { env: ENV });
    const own = new ec2.Vpc(other, 'Network', { maxAzs: 2, natGateways: 0 });
    const withVpc = parseConfig(
      'models: [{ name: llama, endpoint: chat-ep }]\ndeploy: { vpc: { vpc_id: vpc-0abc12345def67890, subnet_ids: [subnet-0abc12345def67890], security_group_ids: [sg-0abc12345def67890] } }',
    );
    new SageGateGateway(other, 'Gateway', { config: withVpc, vpc: own });
    const warnings = Annotations.fromStack(other).findWarning(
      '/Both/Gateway',
      Match.stringLikeRegexp("config's deploy.vpc .vpc-0abc12345def67890. is not"),
    );
    expect(warnings).toHaveLength(1);
  });

  it('refuses subnets or security groups without a VPC', () => {
    const other = new Stack(newApp(), 'Other', { env: ENV });
    expect(() => new SageGateGateway(other, 'Gateway', { config, securityGroups: [securityGroup] })).toThrow(
      'SageGateGateway: vpcSubnets and securityGroups need vpc',
    );
  });
});

describe('the config alone', () => {
  const stack = new Stack(newApp(), 'Defaults', { env: ENV });
  new SageGateGateway(stack, 'Gateway', {
    config: parseConfig('models: [{ name: llama, endpoint: chat-ep }]\ndeploy: { memory_mb: 1024, log_retention_days: 14 }'),
  });
  const template = Template.fromStack(stack);

  it("gives memory and log retention from deploy, the rest from the config's defaults, and no reserved concurrency", () => {
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0]!.Properties;
    expect(fn).toMatchObject({ MemorySize: 1024, Timeout: 900 });
    expect(fn.ReservedConcurrentExecutions).toBeUndefined();
    expect(fn.VpcConfig).toBeUndefined();
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
    template.hasResourceProperties('AWS::DynamoDB::Table', Match.objectLike({ BillingMode: 'PAY_PER_REQUEST' }));
  });
});
