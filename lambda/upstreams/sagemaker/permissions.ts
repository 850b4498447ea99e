import type { SageMakerModel } from '../../config/config.js';
import { dialectStreams } from '../../config/names.js';
import type { AwsPlace, UpstreamPermission, UpstreamPermissions } from '../upstream-permissions.js';

export const INVOKE = 'sagemaker:InvokeEndpoint';
const INVOKE_STREAM = 'sagemaker:InvokeEndpointWithResponseStream';

/**
 * InvokeEndpoint and InvokeEndpointWithResponseStream on the model's endpoint and inference component
 * when its container streams; InvokeEndpoint alone for embedding models and containers that cannot
 * stream (never called with the streaming API). A model in another account (`role_arn` /
 * `aws_role_name`) gets sts:AssumeRole on exactly its role and nothing on its endpoint: that role holds
 * the invoke permissions in its own account.
 */
export const sageMakerPermissions: UpstreamPermissions<SageMakerModel> = {
  permissions(model, place) {
    if (model.assumeRole) return [assumeModelRole(model.assumeRole.roleArn)];
    return dialectStreams(model.dialect)
      ? [{ sid: 'InvokeConfiguredModels', actions: [INVOKE, INVOKE_STREAM], resources: sageMakerArns(model, place) }]
      : [invokeWhole(model, place)];
  },
};

/** InvokeEndpoint only, on the model's endpoint and inference component. */
export const invokeWhole = (model: SageMakerModel, place: AwsPlace): UpstreamPermission => ({
  sid: 'InvokeConfiguredModelsWhole',
  actions: [INVOKE],
  resources: sageMakerArns(model, place),
});

/** The role in another account the gateway assumes for a model. */
export const assumeModelRole = (roleArn: string): UpstreamPermission => ({
  sid: 'AssumeModelRoles',
  actions: ['sts:AssumeRole'],
  resources: [roleArn],
});

/** The model's endpoint and inference component ARNs, in its region (names lower-cased, as SageMaker writes them). */
export function sageMakerArns(model: SageMakerModel, place: AwsPlace): string[] {
  const region = model.region ?? place.region;
  const arn = (resource: string, name: string) =>
    `arn:${place.partition ?? 'aws'}:sagemaker:${region}:${place.account}:${resource}/${name.toLowerCase()}`;
  return [arn('endpoint', model.endpoint), ...(model.inferenceComponent ? [arn('inference-component', model.inferenceComponent)] : [])];
}
