import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { GatewayConfig } from '../lambda/config/config.js';
import { trustPolicy } from './gateway-permissions.js';
import { SageGateGateway } from './sagegate-gateway.js';

export interface SageGateStackProps extends StackProps {
  readonly config: GatewayConfig;
}

/**
 * What `npx cdk deploy` deploys: one gateway, everything from the config file. Its outputs have fixed
 * names, which the admin CLI reads (`ApiKeysSecretArn`, `UsageTableName`); a stack of your own with
 * `SageGateGateway` in it names its outputs as it likes (docs/construct.md).
 */
export class SageGateStack extends Stack {
  readonly gateway: SageGateGateway;

  constructor(scope: Construct, id: string, props: SageGateStackProps) {
    super(scope, id, { description: 'sagegate: serverless OpenAI-compatible gateway for SageMaker endpoints', ...props });
    const gateway = new SageGateGateway(this, 'Gateway', { config: props.config });
    this.gateway = gateway;

    new CfnOutput(this, 'Url', { value: gateway.url.url, description: 'OpenAI base URL: append v1 (https://.../v1)' });
    new CfnOutput(this, 'ApiKeysSecretArn', { value: gateway.apiKeys.secretArn, description: 'Secrets Manager secret holding the API keys' });
    const roles = gateway.assumedRoleArns;
    if (roles.length) {
      new CfnOutput(this, 'TrustPolicy', {
        value: this.toJsonString(trustPolicy(gateway.role.roleArn)),
        description: `Trust policy for ${roles.length === 1 ? 'the role' : 'each role'} in role_arn / aws_role_name (${roles.join(', ')}): add it in the model's account so this gateway may assume it`,
      });
    }
    new CfnOutput(this, 'UsageTableName', {
      value: gateway.usageTable.tableName,
      description: 'DynamoDB table holding usage, budgets and limits (npx sagegate usage reads it)',
    });
  }
}
