import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { GatewayConfig } from '../lambda/config/config.js';
import { assumedRoles } from '../lambda/upstreams/permissions.js';
import {
  BUNDLE_ALIAS,
  BUNDLE_BANNER,
  BUNDLE_MAIN_FIELDS,
  BUNDLE_TARGET,
  bundleExternals,
  configDefine,
  HANDLER_ENTRY,
  installSharpCommand,
  needsImageLibrary,
} from './bundling.js';
import { consoleBuildCommand, GatewayConsole } from './gateway-console.js';
import { GatewayMonitoring } from './gateway-monitoring.js';
import { grantKeyStore, grantLogs, grantUpstreams, grantUsageTable, grantVpcAccess } from './gateway-permissions.js';
import { unreachableUpstreamMessage, unreachableUpstreams } from './unreachable-upstreams.js';
import { createUsageTable } from './usage-table.js';

/**
 * The gateway's settings. Only `config` is required: every other setting defaults to the config's
 * `deploy` section (itself defaulted by the config loader), and a prop given here wins over it.
 */
export interface SageGateGatewayProps {
  /**
   * The validated gateway config (`loadConfigFile('sagegate.yaml')` or `parseConfig(text)` from
   * `config/load.ts`): models, routing, limits, keys, and the `deploy` settings the props below default to.
   * It is bundled into the function; upstream API keys must already be secrets (`api_key_secret`).
   */
  readonly config: GatewayConfig;

  /**
   * The function's memory, in MB.
   * @default - the config's `deploy.memory_mb` (512 unless set)
   */
  readonly memorySize?: number;

  /**
   * How long one request may run, streams included.
   * @default - the config's `deploy.timeout_seconds` (900 seconds unless set)
   */
  readonly timeout?: Duration;

  /**
   * Concurrent executions reserved for (and at most used by) the function.
   * @default - the config's `deploy.reserved_concurrency`, else none (the account's unreserved pool)
   */
  readonly reservedConcurrentExecutions?: number;

  /**
   * How long the function's log group keeps logs.
   * @default - the config's `deploy.log_retention_days` (30 days unless set)
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * X-Ray tracing of the function.
   * @default - `Tracing.ACTIVE` when the config's `deploy.tracing` is true, else `Tracing.DISABLED`
   */
  readonly tracing?: lambda.Tracing;

  /**
   * Who may call the Function URL: anyone (API keys are still checked) or SigV4-signed callers.
   * @default - the config's `deploy.function_url_auth` (`NONE` unless set)
   */
  readonly functionUrlAuthType?: lambda.FunctionUrlAuthType;

  /**
   * A VPC to run the function in, for upstreams reachable only inside it. SageMaker, Secrets Manager and
   * DynamoDB must then be reachable from its subnets (a NAT gateway or VPC endpoints): nothing is created for that.
   * @default - the config's `deploy.vpc` (its subnets and security groups imported by id), else no VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Where in `vpc` the function runs (only with `vpc`).
   * @default - the VPC's private subnets (CDK's default for a function)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The function's security groups (only with `vpc`).
   * @default - a new security group allowing all outbound traffic (CDK's default for a function)
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * An existing table for usage, budgets, limits across containers and stored responses. It must have a
   * string partition key `pk`, a string sort key `sk` and TTL on `ttl` (lambda/dynamodb/table-layout.ts). The
   * function gets exactly the item actions it uses on it (and its KMS key, if it has one of its own).
   * @default - a new on-demand table with point-in-time recovery, kept when the stack is deleted
   */
  readonly usageTable?: dynamodb.ITable;

  /**
   * An existing Secrets Manager secret holding the API key store (JSON, as `npx sagegate keys` writes it).
   * The function may only read it (and decrypt it with its KMS key, if it has one of its own).
   * @default - a new secret with a generated `master_key`
   */
  readonly apiKeys?: secretsmanager.ISecret;

  /**
   * Where the alarms notify.
   * @default - the config's `deploy.alarm_topic_arn`, else the alarms notify no one
   */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * The gateway: a streaming Lambda Function URL, its API key store, its usage table, its log group,
 * a role that may invoke exactly the configured SageMaker endpoints (and inference components) and
 * read exactly its own secrets, and a dashboard with alarms. Several may live in one stack.
 */
export class SageGateGateway extends Construct {
  readonly function: NodejsFunction;
  readonly url: lambda.FunctionUrl;
  /** The function's role. */
  readonly role: iam.Role;
  /** The API key store: the one given, or the one created. */
  readonly apiKeys: secretsmanager.ISecret;
  /** Usage, budgets, limits across containers, and stored responses: the table given, or the one created. */
  readonly usageTable: dynamodb.ITable;
  readonly logGroup: logs.LogGroup;
  readonly monitoring: GatewayMonitoring;
  /**
   * The roles in other accounts the function assumes for their models (`role_arn` / `aws_role_name`):
   * each needs the trust policy of `trustPolicy(gateway.role.roleArn)` (lib/gateway-permissions.ts).
   */
  readonly assumedRoleArns: string[];

  constructor(scope: Construct, id: string, props: SageGateGatewayProps) {
    super(scope, id);
    const { config } = props;
    refuseKeysFromConfig(config);
    this.warnOfUnreachableUpstreams(config);

    this.apiKeys = props.apiKeys ?? this.createKeyStore();
    this.usageTable = props.usageTable ?? createUsageTable(this, 'Usage');
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention ?? (config.deploy.logRetentionDays as logs.RetentionDays) });
    const placement = this.vpcPlacement(props);
    this.role = this.createRole(placement !== undefined);
    const tracing = props.tracing ?? (config.deploy.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED);
    const timeout = props.timeout ?? Duration.seconds(config.deploy.timeoutSeconds);
    const urlAuth = props.functionUrlAuthType ?? urlAuthOf(config);
    this.function = this.createFunction(props, { placement, tracing, timeout, urlAuth });
    const upstreams = grantUpstreams(this.role, config);
    const keyStore = grantKeyStore(this.role, this.apiKeys);
    grantUsageTable(this.role, this.usageTable);
    if (config.ui) new GatewayConsole(this, 'Console', { function: this.function, apiKeys: this.apiKeys, manageKeys: config.ui.manageKeys });
    this.assumedRoleArns = assumedRoles(upstreams);
    this.url = this.createUrl(config, urlAuth);
    this.monitoring = new GatewayMonitoring(this, 'Monitoring', {
      function: this.function,
      timeout,
      alarmTopic:
        props.alarmTopic ?? (config.deploy.alarmTopicArn ? sns.Topic.fromTopicArn(this, 'AlarmTopic', config.deploy.alarmTopicArn) : undefined),
      usageTable: this.usageTable,
    });
    this.acknowledgeDeliberateFindings({
      onAnyResource: [
        ...(tracing !== lambda.Tracing.DISABLED ? ['X-Ray PutTraceSegments and PutTelemetryRecords (CDK grants them on * when tracing is on)'] : []),
        ...upstreams.flatMap((p) => (p.anyResourceBecause ? [p.anyResourceBecause] : [])),
        ...(placement
          ? ["the network-interface actions Lambda needs to run in the VPC's subnets (as AWSLambdaVPCAccessExecutionRole grants them)"]
          : []),
      ],
      onPatterns: [
        ...new Set(upstreams.flatMap((p) => (p.patternBecause ? [p.patternBecause] : []))),
        ...(keyStore.byName
          ? ["The key store, imported by name, is matched by Secrets Manager's six-character ARN suffix (name-??????): that one secret."]
          : []),
      ],
    });
  }

  /** The key store, created with a generated master key (`npx sagegate keys` reads it once and rotates it to a hash). */
  private createKeyStore(): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'ApiKeys', {
      description: 'sagegate API key store (JSON). Created with a generated master_key; see the README to read it once and rotate it to a hash.',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ version: 1 }),
        generateStringKey: 'master_key',
        excludePunctuation: true,
        passwordLength: 48,
      },
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Keys are rotated by people, not a rotation Lambda: `sagegate keys rotate-master` stages the new master key as AWSPENDING (both work) and promotes it with --finish; per-key revocation and expiry cover the rest.',
    });
    return secret;
  }

  /** Our own role instead of AWSLambdaBasicExecutionRole: logs go to this gateway's log group only. */
  private createRole(inVpc: boolean): iam.Role {
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'sagegate gateway function',
    });
    grantLogs(role, this.logGroup.logGroupArn);
    if (inVpc) grantVpcAccess(role);
    return role;
  }

  /** Where the function runs: the `vpc` prop, else the config's subnets and security groups imported as they are (no network created). */
  private vpcPlacement(props: SageGateGatewayProps): Pick<lambda.FunctionOptions, 'vpc' | 'vpcSubnets' | 'securityGroups'> | undefined {
    const configured = props.config.deploy.vpc;
    if (!props.vpc) {
      if (props.vpcSubnets || props.securityGroups) throw new Error('SageGateGateway: vpcSubnets and securityGroups need vpc');
      if (!configured) return undefined;
      return {
        vpc: ec2.Vpc.fromVpcAttributes(this, 'Vpc', { vpcId: configured.vpcId, availabilityZones: Stack.of(this).availabilityZones }),
        vpcSubnets: { subnets: configured.subnetIds.map((id) => ec2.Subnet.fromSubnetId(this, `Subnet-${id}`, id)) },
        securityGroups: configured.securityGroupIds.map((id) =>
          ec2.SecurityGroup.fromSecurityGroupId(this, `SecurityGroup-${id}`, id, { mutable: false }),
        ),
      };
    }
    if (configured) {
      Validations.of(this).addWarning(
        'sagegate:VpcPropOverridesConfig',
        `the vpc prop is used; the config's deploy.vpc (${configured.vpcId}) is not: remove one of them`,
      );
    }
    return {
      vpc: props.vpc,
      ...(props.vpcSubnets && { vpcSubnets: props.vpcSubnets }),
      ...(props.securityGroups && { securityGroups: props.securityGroups }),
    };
  }

  private createFunction(
    props: SageGateGatewayProps,
    settings: {
      placement: Pick<lambda.FunctionOptions, 'vpc' | 'vpcSubnets' | 'securityGroups'> | undefined;
      tracing: lambda.Tracing;
      timeout: Duration;
      urlAuth: lambda.FunctionUrlAuthType;
    },
  ): NodejsFunction {
    const { config } = props;
    const reserved = props.reservedConcurrentExecutions ?? config.deploy.reservedConcurrency;
    // Keys are always checked, unless IAM guards the URL and the config switches keys off.
    const iamOnly = settings.urlAuth === lambda.FunctionUrlAuthType.AWS_IAM && config.auth.disabled;
    const fn = new NodejsFunction(this, 'Handler', {
      entry: HANDLER_ENTRY,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? config.deploy.memoryMb,
      timeout: settings.timeout,
      role: this.role,
      logGroup: this.logGroup,
      tracing: settings.tracing,
      ...settings.placement,
      ...(reserved !== undefined && { reservedConcurrentExecutions: reserved }),
      description: `sagegate: OpenAI-compatible gateway for ${config.models.length} SageMaker model(s)`,
      environment: {
        // A secret imported by name has no full ARN: the handler then reads it by name.
        ...(iamOnly ? {} : { SAGEGATE_KEYS_SECRET: this.apiKeys.secretFullArn ?? this.apiKeys.secretName }),
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
        esbuildArgs: Object.fromEntries(Object.entries(BUNDLE_ALIAS).map(([from, to]) => [`--alias:${from}`, to])),
        ...((needsImageLibrary(config) || config.ui) && {
          commandHooks: {
            beforeBundling: () => [],
            beforeInstall: () => [],
            afterBundling: (_inputDir: string, outputDir: string) => [
              ...(needsImageLibrary(config) ? [installSharpCommand(outputDir)] : []),
              ...(config.ui ? [consoleBuildCommand(outputDir)] : []),
            ],
          },
        }),
      },
    });
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x, the runtime the bundle is built and tested for (esbuild target node22); moving runtimes is a deliberate, tested change.',
    });
    return fn;
  }

  private createUrl(config: GatewayConfig, authType: lambda.FunctionUrlAuthType): lambda.FunctionUrl {
    const cors = config.deploy.cors;
    return this.function.addFunctionUrl({
      authType,
      invokeMode: lambda.InvokeMode.RESPONSE_STREAM,
      ...(cors && {
        cors: {
          allowedOrigins: cors.allowOrigins,
          allowedMethods: [lambda.HttpMethod.GET, lambda.HttpMethod.POST],
          allowedHeaders: ['authorization', 'content-type', 'x-api-key', 'openai-organization', 'openai-project', 'x-stainless-*'],
          exposedHeaders: ['x-request-id', 'retry-after', 'x-sagegate-usage'],
          maxAge: Duration.hours(1),
        },
      }),
    });
  }

  /** cdk-nag (AwsSolutions) findings on the role that are deliberate, each with its reason. */
  private acknowledgeDeliberateFindings(findings: { onAnyResource: string[]; onPatterns: string[] }): void {
    if (findings.onAnyResource.length) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: `No resource-level permissions exist for ${findings.onAnyResource.join(', nor for ')}.`,
      });
    }
    if (findings.onPatterns.length) Validations.of(this.role).acknowledge({ id: 'AwsSolutions-IAM5', reason: findings.onPatterns.join(' ') });
  }

  /** `localhost` and the like work for `npm start` and never from Lambda: said at synth, deployed anyway. */
  private warnOfUnreachableUpstreams(config: GatewayConfig): void {
    for (const upstream of unreachableUpstreams(config)) {
      Validations.of(this).addWarning('sagegate:UnreachableUpstream', unreachableUpstreamMessage(upstream), { context: { model: upstream.model } });
    }
  }
}

/** Keys from a config file never reach the template or the bundle (bin/ swaps them for stored secrets first). */
function refuseKeysFromConfig(config: GatewayConfig): void {
  const withKey = config.models.find((m) => m.provider === 'openai' && m.apiKey !== undefined);
  if (withKey)
    throw new Error(`model '${withKey.id}' carries an API key from the config file; store it with: npx sagegate upstream-keys set ${withKey.id}`);
}

const urlAuthOf = (config: GatewayConfig): lambda.FunctionUrlAuthType =>
  config.deploy.functionUrlAuth === 'aws_iam' ? lambda.FunctionUrlAuthType.AWS_IAM : lambda.FunctionUrlAuthType.NONE;
