import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { TABLE_KEY } from '../lambda/dynamodb/table-layout.js';

/**
 * A new usage table (lambda/dynamodb/table-layout.ts): on-demand, point-in-time recovery, encrypted with
 * the AWS managed key, old rows expired by TTL, kept when the stack is deleted (RETAIN and deletion
 * protection): usage is billing data. A table brought instead must have the same keys.
 */
export function createUsageTable(scope: Construct, id: string): dynamodb.Table {
  return new dynamodb.Table(scope, id, {
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
