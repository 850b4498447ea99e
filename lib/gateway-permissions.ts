import { Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { GatewayConfig } from '../lambda/config/config.js';
import { type UpstreamPermission, upstreamPermissions } from '../lambda/upstreams/permissions.js';

/**
 * The gateway role's statements, each granting exactly what the handler does with one resource. The
 * upstreams' statements come from the upstreams themselves (lambda/upstreams/<kind>/permissions.ts).
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

/** What the config's upstreams say they need, in the stack's partition, region and account; returned for the findings and outputs. */
export function grantUpstreams(role: iam.Role, config: GatewayConfig): UpstreamPermission[] {
  const stack = Stack.of(role);
  const permissions = upstreamPermissions(config.models, { partition: stack.partition, region: stack.region, account: stack.account });
  for (const p of permissions) role.addToPolicy(new iam.PolicyStatement({ sid: p.sid, actions: p.actions, resources: p.resources }));
  return permissions;
}

/**
 * GetSecretValue on the key store, and decryption with its key when it has a customer managed one. A
 * secret imported by name has no full ARN: its six-character suffix is matched instead.
 */
export function grantKeyStore(role: iam.Role, secret: secretsmanager.ISecret): { byName: boolean } {
  const byName = secret.secretFullArn === undefined;
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'ReadApiKeys',
      actions: ['secretsmanager:GetSecretValue'],
      resources: [byName ? `${secret.secretArn}-??????` : secret.secretArn],
    }),
  );
  secret.encryptionKey?.grantDecrypt(role);
  return { byName };
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

/** The trust policy a model's role needs in its own account: the gateway's role may assume it. */
export function trustPolicy(gatewayRoleArn: string): object {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'SageGateGateway', Effect: 'Allow', Principal: { AWS: gatewayRoleArn }, Action: 'sts:AssumeRole' }],
  };
}
