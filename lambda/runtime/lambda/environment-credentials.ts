import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * The SDK's default credential chain, as the Lambda bundle has it. Lambda hands a function its role's
 * credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), so the
 * rest of the chain (profiles, SSO, web identity, instance metadata, with the nested STS and SSO
 * clients they load: about 90 KB of every cold start's parse) can never be reached there. The bundle
 * maps `@aws-sdk/credential-provider-node` here (lib/bundling.ts); a container keeps the whole chain.
 */
export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}): AwsCredentialIdentityProvider => fromEnv(init);
