import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { GatewayConfig, SageMakerModel } from '../lambda/config/config.js';
import { dialectStreams } from '../lambda/config/names.js';
import { TABLE_KEY } from '../lambda/dynamodb/table-layout.js';
import {
  BUNDLE_BANNER,
  BUNDLE_MAIN_FIELDS,
  BUNDLE_TARGET,
  bundleExternals,
  configDefine,
  HANDLER_ENTRY,
  installSharpCommand,
  needsImageLibrary,
} from './bundling.js';
import { GatewayMonitoring } from './gateway-monitoring.js';

export interface SageGateGatewayProps {
  /** The validated gateway config (from `loadConfigFile`): models, limits, deploy settings. */
  readonly config: GatewayConfig;
}

/**
 * The gateway: a streaming Lambda Function URL, its API key secret, its log group, and a role that
 * may invoke exactly the configured SageMaker endpoints (and inference components) and read exactly
 * that secret.
 */
export class SageGateGateway extends Construct {
  readonly function: NodejsFunction;
  readonly url: lambda.FunctionUrl;
  readonly apiKeys: secretsmanager.Secret;
  /** Usage, budgets, limits across containers, and stored responses. */
  readonly usageTable: dynamodb.Table;
  readonly monitoring: GatewayMonitoring;

  constructor(scope: Construct, id: string, props: SageGateGatewayProps) {
    super(scope, id);
    const { config } = props;
    const deploy = config.deploy;
    // Keys from a config file never reach the template or the bundle (bin/ swaps them for stored secrets).
    const withKey = config.models.find((m) => m.provider === 'openai' && m.apiKey !== undefined);
    if (withKey)
      throw new Error(`model '${withKey.id}' carries an API key from the config file; store it with: npx sagegate upstream-keys set ${withKey.id}`);

    this.apiKeys = new secretsmanager.Secret(this, 'ApiKeys', {
      description: 'sagegate API key store (JSON). Created with a generated master_key; see the README to read it once and rotate it to a hash.',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ version: 1 }),
        generateStringKey: 'master_key',
        excludePunctuation: true,
        passwordLength: 48,
      },
    });

    this.usageTable = usageTable(this);

    const iamOnly = deploy.functionUrlAuth === 'aws_iam' && config.auth.disabled;
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: deploy.logRetentionDays as logs.RetentionDays });

    // Our own role instead of AWSLambdaBasicExecutionRole: logs may go to this log group only.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'sagegate gateway function',
    });
    role.addToPolicy(
      new iam.PolicyStatement({ sid: 'WriteLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    );
    if (deploy.vpc) {
      // What AWSLambdaVPCAccessExecutionRole grants, without its log permissions on every log group.
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'AttachToVpc',
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      );
    }

    this.function = new NodejsFunction(this, 'Handler', {
      entry: HANDLER_ENTRY,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: deploy.memoryMb,
      timeout: Duration.seconds(deploy.timeoutSeconds),
      role,
      logGroup,
      tracing: deploy.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      ...(deploy.vpc && this.vpcPlacement(deploy.vpc)),
      ...(deploy.reservedConcurrency && { reservedConcurrentExecutions: deploy.reservedConcurrency }),
      description: `sagegate: OpenAI-compatible gateway for ${config.models.length} SageMaker model(s)`,
      // Keys are always checked, unless IAM guards the URL and the config switches keys off.
      environment: {
        ...(iamOnly ? {} : { SAGEGATE_KEYS_SECRET: this.apiKeys.secretArn }),
        SAGEGATE_USAGE_TABLE: this.usageTable.tableName,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: BUNDLE_TARGET,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        mainFields: BUNDLE_MAIN_FIELDS,
        banner: BUNDLE_BANNER,
        define: configDefine(config),
        // Bundle our pinned SDK rather than rely on the runtime's copy; only sharp stays outside.
        externalModules: bundleExternals(config),
        ...(needsImageLibrary(config) && {
          commandHooks: {
            beforeBundling: () => [],
            beforeInstall: () => [],
            afterBundling: (_inputDir: string, outputDir: string) => [installSharpCommand(outputDir)],
          },
        }),
      },
    });

    const { streaming, wholeOnly, bearerToken } = sageMakerArns(Stack.of(this), config);
    if (streaming.length) {
      this.function.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'InvokeConfiguredModels',
          actions: ['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointWithResponseStream'],
          resources: streaming,
        }),
      );
    }
    if (wholeOnly.length) {
      // Embedding models and containers that cannot stream are never called with the streaming API.
      this.function.addToRolePolicy(
        new iam.PolicyStatement({ sid: 'InvokeConfiguredModelsWhole', actions: ['sagemaker:InvokeEndpoint'], resources: wholeOnly }),
      );
    }
    if (bearerToken) {
      // SageMaker's OpenAI-compatible route takes a bearer token minted from the role's credentials; the
      // action has no resource-level permissions (docs/wire-facts.md §9). InvokeEndpoint above still
      // limits which endpoints the token reaches.
      this.function.addToRolePolicy(
        new iam.PolicyStatement({ sid: 'CallWithBearerToken', actions: ['sagemaker:CallWithBearerToken'], resources: ['*'] }),
      );
    }
    const roles = modelRoleArns(config);
    if (roles.length) {
      // Models in other accounts: the function assumes exactly their roles, which hold the invoke permissions there.
      this.function.addToRolePolicy(new iam.PolicyStatement({ sid: 'AssumeModelRoles', actions: ['sts:AssumeRole'], resources: roles }));
    }
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'ReadApiKeys', actions: ['secretsmanager:GetSecretValue'], resources: [this.apiKeys.secretArn] }),
    );
    grantUsageTable(this.function, this.usageTable);
    const upstreamKeys = upstreamKeySecretArns(Stack.of(this), config);
    if (upstreamKeys.length) {
      this.function.addToRolePolicy(
        new iam.PolicyStatement({ sid: 'ReadUpstreamApiKeys', actions: ['secretsmanager:GetSecretValue'], resources: upstreamKeys }),
      );
    }

    this.url = this.function.addFunctionUrl({
      authType: deploy.functionUrlAuth === 'aws_iam' ? lambda.FunctionUrlAuthType.AWS_IAM : lambda.FunctionUrlAuthType.NONE,
      invokeMode: lambda.InvokeMode.RESPONSE_STREAM,
      ...(deploy.cors && {
        cors: {
          allowedOrigins: deploy.cors.allowOrigins,
          allowedMethods: [lambda.HttpMethod.GET, lambda.HttpMethod.POST],
          allowedHeaders: ['authorization', 'content-type', 'x-api-key', 'openai-organization', 'openai-project', 'x-stainless-*'],
          exposedHeaders: ['x-request-id', 'retry-after', 'x-sagegate-usage'],
          maxAge: Duration.hours(1),
        },
      }),
    });

    this.monitoring = new GatewayMonitoring(this, 'Monitoring', {
      function: this.function,
      timeout: Duration.seconds(deploy.timeoutSeconds),
      alarmTopicArn: deploy.alarmTopicArn,
      usageTable: this.usageTable,
    });

    // cdk-nag (AwsSolutions) findings that are deliberate, each with its reason.
    Validations.of(this.apiKeys).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Keys are rotated by people, not a rotation Lambda: `sagegate keys rotate-master` stages the new master key as AWSPENDING (both work) and promotes it with --finish; per-key revocation and expiry cover the rest.',
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x, the runtime the bundle is built and tested for (esbuild target node22); moving runtimes is a deliberate, tested change.',
    });
    const onAnyResource = [
      ...(deploy.tracing ? ['X-Ray PutTraceSegments and PutTelemetryRecords (CDK grants them on * when tracing is on)'] : []),
      ...(bearerToken
        ? [
            "sagemaker:CallWithBearerToken, which SageMaker's OpenAI-compatible route requires for the bearer token the function mints (the endpoints it reaches stay limited by sagemaker:InvokeEndpoint on their ARNs)",
          ]
        : []),
      ...(deploy.vpc
        ? ["the network-interface actions Lambda needs to run in the VPC's subnets (as AWSLambdaVPCAccessExecutionRole grants them)"]
        : []),
    ];
    if (onAnyResource.length) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: `No resource-level permissions exist for ${onAnyResource.join(', nor for ')}.`,
      });
    }
    if (upstreamKeys.some((arn) => arn.includes('??????'))) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5',
        reason:
          "An upstream key secret named without its ARN is matched by Secrets Manager's six-character ARN suffix (name-??????): that one secret, nothing else.",
      });
    }

    // Stable output names: the admin CLI finds the key store by `ApiKeysSecretArn`.
    new CfnOutput(this, 'Url', { value: this.url.url, description: 'OpenAI base URL: append v1 (https://.../v1)' }).overrideLogicalId('Url');
    new CfnOutput(this, 'ApiKeysSecretArn', {
      value: this.apiKeys.secretArn,
      description: 'Secrets Manager secret holding the API keys',
    }).overrideLogicalId('ApiKeysSecretArn');
    if (roles.length) {
      new CfnOutput(this, 'TrustPolicy', {
        value: Stack.of(this).toJsonString(trustPolicy(role.roleArn)),
        description: `Trust policy for ${roles.length === 1 ? 'the role' : 'each role'} in role_arn / aws_role_name (${roles.join(', ')}): add it in the model's account so this gateway may assume it`,
      }).overrideLogicalId('TrustPolicy');
    }
    new CfnOutput(this, 'UsageTableName', {
      value: this.usageTable.tableName,
      description: 'DynamoDB table holding usage, budgets and limits (npx sagegate usage reads it)',
    }).overrideLogicalId('UsageTableName');
  }

  /** The configured subnets and security groups, imported as they are: the stack creates no network. */
  private vpcPlacement(vpc: NonNullable<GatewayConfig['deploy']['vpc']>) {
    return {
      vpc: ec2.Vpc.fromVpcAttributes(this, 'Vpc', { vpcId: vpc.vpcId, availabilityZones: Stack.of(this).availabilityZones }),
      vpcSubnets: { subnets: vpc.subnetIds.map((id) => ec2.Subnet.fromSubnetId(this, `Subnet-${id}`, id)) },
      securityGroups: vpc.securityGroupIds.map((id) => ec2.SecurityGroup.fromSecurityGroupId(this, `SecurityGroup-${id}`, id, { mutable: false })),
    };
  }
}

/**
 * The usage table (lambda/usage/table-keys.ts): on-demand, point-in-time recovery, encrypted with the
 * AWS managed key, old rows expired by TTL, kept when the stack is deleted (RETAIN and deletion
 * protection): usage is billing data.
 */
function usageTable(scope: Construct): dynamodb.Table {
  return new dynamodb.Table(scope, 'Usage', {
    partitionKey: { name: TABLE_KEY.partition, type: dynamodb.AttributeType.STRING },
    sortKey: { name: TABLE_KEY.sort, type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    timeToLiveAttribute: TABLE_KEY.ttl,
    removalPolicy: RemovalPolicy.RETAIN,
    deletionProtection: true,
  });
}

/**
 * Exactly what the handler does with the table: counters (UpdateItem), spend (Query), and the
 * Responses API's stored responses (GetItem; PutItem and DeleteItem only on `response#` items).
 */
function grantUsageTable(fn: NodejsFunction, table: dynamodb.Table): void {
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      sid: 'CountUsage',
      actions: ['dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:Query'],
      resources: [table.tableArn],
    }),
  );
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      sid: 'StoreResponses',
      actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
      resources: [table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['response#*'] } },
    }),
  );
}

/**
 * Endpoint and inference component ARNs: SageMaker lower-cases resource names in ARNs. Models on the
 * OpenAI-compatible route need InvokeEndpoint only (and CallWithBearerToken, `bearerToken`); models
 * reached through an assumed role get nothing here: that role holds their permissions.
 */
export function sageMakerArns(stack: Stack, config: GatewayConfig): { streaming: string[]; wholeOnly: string[]; bearerToken: boolean } {
  const streaming = new Set<string>();
  const whole = new Set<string>();
  let bearerToken = false;
  for (const model of config.models.filter((m): m is SageMakerModel => m.provider === 'sagemaker' && !m.assumeRole)) {
    const arn = (resource: string, name: string) =>
      stack.formatArn({
        service: 'sagemaker',
        region: model.region ?? stack.region,
        resource,
        resourceName: name.toLowerCase(),
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
    const openAIRoute = model.route === 'openai';
    if (openAIRoute && model.routeAuth !== 'sigv4') bearerToken = true;
    // The OpenAI-compatible route streams under InvokeEndpoint: only InvokeEndpointWithResponseStream streams are separate.
    const arns = dialectStreams(model.dialect) && !openAIRoute ? streaming : whole;
    arns.add(arn('endpoint', model.endpoint));
    if (model.inferenceComponent) arns.add(arn('inference-component', model.inferenceComponent));
  }
  return { streaming: [...streaming], wholeOnly: [...whole].filter((a) => !streaming.has(a)), bearerToken };
}

/** The roles of models in other accounts (role_arn / aws_role_name), each once. */
export function modelRoleArns(config: GatewayConfig): string[] {
  const roles = new Set<string>();
  for (const model of config.models) if (model.provider === 'sagemaker' && model.assumeRole) roles.add(model.assumeRole.roleArn);
  return [...roles];
}

/** The trust policy a model's role needs in its own account: this gateway's role may assume it. */
export function trustPolicy(gatewayRoleArn: string): object {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'SageGateGateway', Effect: 'Allow', Principal: { AWS: gatewayRoleArn }, Action: 'sts:AssumeRole' }],
  };
}

/**
 * The secrets holding OpenAI-compatible upstreams' keys. A name (not an ARN) matches the ARN's
 * six-character suffix that Secrets Manager adds.
 */
export function upstreamKeySecretArns(stack: Stack, config: GatewayConfig): string[] {
  const arns = new Set<string>();
  for (const model of config.models) {
    if (model.provider !== 'openai' || !model.apiKeySecret) continue;
    const id = model.apiKeySecret;
    arns.add(
      id.startsWith('arn:')
        ? id
        : stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${id}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
    );
  }
  return [...arns];
}
