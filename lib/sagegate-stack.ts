import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { GatewayConfig } from '../lambda/config/config.js';
import { SageGateGateway } from './sagegate-gateway.js';

export interface SageGateStackProps extends StackProps {
  readonly config: GatewayConfig;
}

/** One gateway per stack; the stack's outputs are the URL and the key store's ARN. */
export class SageGateStack extends Stack {
  readonly gateway: SageGateGateway;

  constructor(scope: Construct, id: string, props: SageGateStackProps) {
    super(scope, id, { description: 'sagegate: serverless OpenAI-compatible gateway for SageMaker endpoints', ...props });
    this.gateway = new SageGateGateway(this, 'Gateway', { config: props.config });
  }
}
