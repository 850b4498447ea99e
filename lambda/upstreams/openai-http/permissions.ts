import type { OpenAIModel } from '../../config/config.js';
import type { AwsPlace, UpstreamPermissions } from '../upstream-permissions.js';

/**
 * GetSecretValue on the secret holding the server's API key (`api_key_secret`), nothing else; none
 * without one. A keyless server needs no permission at all.
 */
export const openAIServerPermissions: UpstreamPermissions<OpenAIModel> = {
  permissions(model, place) {
    if (!model.apiKeySecret) return [];
    const byName = !model.apiKeySecret.startsWith('arn:');
    return [
      {
        sid: 'ReadUpstreamApiKeys',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [byName ? secretArnPattern(model.apiKeySecret, place) : model.apiKeySecret],
        ...(byName && {
          patternBecause:
            "An upstream key secret named without its ARN is matched by Secrets Manager's six-character ARN suffix (name-??????): that one secret, nothing else.",
        }),
      },
    ];
  },
};

/** A secret's ARN from its name: Secrets Manager appends a dash and six random characters. */
const secretArnPattern = (name: string, place: AwsPlace): string =>
  `arn:${place.partition ?? 'aws'}:secretsmanager:${place.region}:${place.account}:secret:${name}-??????`;
