import { ArnFormat, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { GatewayConfig } from '../lambda/config/config.js';
import { sageMakerPermissions, type UpstreamPermission } from '../lambda/upstreams/sagemaker/permissions.js';

/**
 * The gateway role's statements, each granting exactly what the handler does with one resource. Every
 * function here adds statements to `role` and returns what a reviewer must be told about them.
 */

/** Logs go to the gateway's own log group only (instead of AWSLambdaBasicExecutionRole's every log group). */
export function grantLogs(role: iam.Role, logGroupArn: string): void {
  role.addToPolicy(new iam.PolicyStatement({ sid: 'WriteLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroupArn] }));
}

/** What AWSLambdaVPCAccessExecutionRole grants, without its log permissions on every log group. */
export function grantVpcAccess(role: iam.Role): void {
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

/** The SageMaker upstream's own statements (lambda/upstreams/sagemaker/permissions.ts), in the stack's partition, region and account. */
export function grantSageMaker(role: iam.Role, config: GatewayConfig): UpstreamPermission[] {
  const stack = Stack.of(role);
  const permissions = sageMakerPermissions(config, { partition: stack.partition, region: stack.region, account: stack.account });
  for (const p of permissions) role.addToPolicy(new iam.PolicyStatement({ sid: p.sid, actions: p.actions, resources: p.resources }));
  return permissions;
}

/** GetSecretValue on the key store, and decryption with its key when it has a customer managed one. */
export function grantKeyStore(role: iam.Role, secret: secretsmanager.ISecret): void {
  role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadApiKeys', actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }));
  secret.encryptionKey?.grantDecrypt(role);
}

/**
 * Exactly what the handler does with the usage table: counters (UpdateItem), spend (Query), and the
 * Responses API's stored responses (GetItem; PutItem and DeleteItem only on `response#` items).
 */
export function grantUsageTable(role: iam.Role, table: dynamodb.ITable): void {
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'CountUsage',
      actions: ['dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:Query'],
      resources: [table.tableArn],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'StoreResponses',
      actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
      resources: [table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['response#*'] } },
    }),
  );
  table.encryptionKey?.grantEncryptDecrypt(role);
}

/** GetSecretValue on the OpenAI-compatible upstreams' key secrets; returns their ARNs (none: no statement). */
export function grantUpstreamKeys(role: iam.Role, config: GatewayConfig): string[] {
  const arns = upstreamKeySecretArns(Stack.of(role), config);
  if (arns.length) {
    role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadUpstreamApiKeys', actions: ['secretsmanager:GetSecretValue'], resources: arns }));
  }
  return arns;
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
