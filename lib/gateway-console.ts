import { fileURLToPath } from 'node:url';
import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface GatewayConsoleProps {
  /** The gateway's function: it serves /ui. */
  readonly function: NodejsFunction;
  /** The key store the console reads, and writes with `manageKeys`. */
  readonly apiKeys: secretsmanager.ISecret;
  /** `ui.manage_keys`: the function may write the key store (PutSecretValue) and move its staging labels (rotations). */
  readonly manageKeys: boolean;
}

/**
 * What the admin console adds to the stack, only with `ui.enabled`: a generated secret that seals
 * session cookies (its value never in the template), the function's permission to read it, and,
 * only with `ui.manage_keys`, the key store writes the CLI makes. Nothing else changes.
 */
export class GatewayConsole extends Construct {
  readonly sessionKey: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: GatewayConsoleProps) {
    super(scope, id);
    this.sessionKey = new secretsmanager.Secret(this, 'SessionKey', {
      description: 'sagegate admin console: the key that seals session cookies (generated; never shown)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    props.function.addEnvironment('SAGEGATE_CONSOLE_SECRET', this.sessionKey.secretArn);
    props.function.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'ReadConsoleSessionKey', actions: ['secretsmanager:GetSecretValue'], resources: [this.sessionKey.secretArn] }),
    );
    if (props.manageKeys) {
      props.function.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'ManageApiKeys',
          actions: ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage', 'secretsmanager:DescribeSecret'],
          resources: [props.apiKeys.secretArn],
        }),
      );
    }
    Validations.of(this.sessionKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'A new key ends every console session and nothing else: replace it with a new secret version when wanted; sessions last hours at most.',
    });
  }
}

const CONSOLE_BUILD = fileURLToPath(new URL('./console-build.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));

/** The bundling hook that writes `console.mjs` beside the handler's bundle (lib/console-build.ts). */
export const consoleBuildCommand = (outputDir: string): string => `"${TSX}" "${CONSOLE_BUILD}" "${outputDir}"`;
