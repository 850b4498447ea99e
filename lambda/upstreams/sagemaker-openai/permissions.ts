import type { SageMakerModel } from '../../config/config.js';
import { assumeModelRole, invokeWhole } from '../sagemaker/permissions.js';
import type { UpstreamPermissions } from '../upstream-permissions.js';

/**
 * The OpenAI-compatible route streams under InvokeEndpoint, so InvokeEndpoint alone on the model's
 * endpoint and inference component. With a bearer token (not `route_auth: sigv4`), also
 * sagemaker:CallWithBearerToken, which has no resource-level permissions (docs/wire-facts.md §9):
 * InvokeEndpoint still limits which endpoints the token reaches. A model in another account: its role only.
 */
export const sageMakerOpenAIPermissions: UpstreamPermissions<SageMakerModel> = {
  permissions(model, place) {
    if (model.assumeRole) return [assumeModelRole(model.assumeRole.roleArn)];
    return [
      invokeWhole(model, place),
      ...(model.routeAuth === 'sigv4'
        ? []
        : [
            {
              sid: 'CallWithBearerToken',
              actions: ['sagemaker:CallWithBearerToken'],
              resources: ['*'],
              anyResourceBecause:
                "sagemaker:CallWithBearerToken, which SageMaker's OpenAI-compatible route requires for the bearer token the function mints (the endpoints it reaches stay limited by sagemaker:InvokeEndpoint on their ARNs)",
            },
          ]),
    ];
  },
};
