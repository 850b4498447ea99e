/**
 * What the gateway's role may do for its SageMaker models, as plain data: the stack turns each entry
 * into one IAM statement. Kept with the upstream that makes the calls, so a new call and its
 * permission change together. No AWS SDK and no CDK here: the CDK app imports this at synth time.
 */
import type { GatewayConfig, SageMakerModel } from '../../config/config.js';
import { dialectStreams } from '../../config/names.js';

/** Where ARNs point: the deployment's partition, region and account (plain strings, or CDK tokens for them). */
export interface AwsPlace {
  /** @default 'aws' */
  partition?: string;
  region: string;
  account: string;
}

/** One statement of the role's policy. */
export interface UpstreamPermission {
  /** The statement's id, stable across deployments (reviews and tests find statements by it). */
  sid: string;
  actions: string[];
  resources: string[];
  /** Set when the resource is `*`: the action has no resource-level permissions, and this says what it is for. */
  anyResourceBecause?: string;
}

const INVOKE = 'sagemaker:InvokeEndpoint';
const INVOKE_STREAM = 'sagemaker:InvokeEndpointWithResponseStream';

/**
 * The statements a config's SageMaker models need, in a stable order (none when no model is on SageMaker):
 * - models that stream over InvokeEndpointWithResponseStream: both invoke actions on their endpoints and
 *   inference components;
 * - embedding models, containers that cannot stream, and models on the endpoint's OpenAI-compatible route
 *   (which streams under InvokeEndpoint): InvokeEndpoint only;
 * - the OpenAI-compatible route with a bearer token: CallWithBearerToken, which has no resource-level
 *   permissions (docs/wire-facts.md §9); InvokeEndpoint above still limits which endpoints the token reaches;
 * - models in other accounts (`role_arn` / `aws_role_name`): sts:AssumeRole on exactly their roles, and
 *   nothing on their endpoints here: those roles hold the invoke permissions in their own accounts.
 *
 * SageMaker lower-cases resource names in its ARNs, so `My-Endpoint` is granted as `endpoint/my-endpoint`.
 */
export function sageMakerPermissions(config: GatewayConfig, place: AwsPlace): UpstreamPermission[] {
  const streaming = new Set<string>();
  const whole = new Set<string>();
  let bearerToken = false;
  for (const model of ownAccountModels(config)) {
    const openAIRoute = model.route === 'openai';
    if (openAIRoute && model.routeAuth !== 'sigv4') bearerToken = true;
    const arns = dialectStreams(model.dialect) && !openAIRoute ? streaming : whole;
    const region = model.region ?? place.region;
    arns.add(sageMakerArn(place, region, 'endpoint', model.endpoint));
    if (model.inferenceComponent) arns.add(sageMakerArn(place, region, 'inference-component', model.inferenceComponent));
  }
  const wholeOnly = [...whole].filter((arn) => !streaming.has(arn));
  const roles = assumedRoleArns(config);
  const permissions: UpstreamPermission[] = [];
  if (streaming.size) permissions.push({ sid: 'InvokeConfiguredModels', actions: [INVOKE, INVOKE_STREAM], resources: [...streaming] });
  if (wholeOnly.length) permissions.push({ sid: 'InvokeConfiguredModelsWhole', actions: [INVOKE], resources: wholeOnly });
  if (bearerToken) {
    permissions.push({
      sid: 'CallWithBearerToken',
      actions: ['sagemaker:CallWithBearerToken'],
      resources: ['*'],
      anyResourceBecause:
        "sagemaker:CallWithBearerToken, which SageMaker's OpenAI-compatible route requires for the bearer token the function mints (the endpoints it reaches stay limited by sagemaker:InvokeEndpoint on their ARNs)",
    });
  }
  if (roles.length) permissions.push({ sid: 'AssumeModelRoles', actions: ['sts:AssumeRole'], resources: roles });
  return permissions;
}

/** The roles of models in other accounts (`role_arn` / `aws_role_name`), each once, in config order. */
export function assumedRoleArns(config: GatewayConfig): string[] {
  const roles = new Set<string>();
  for (const model of sageMakerModels(config)) if (model.assumeRole) roles.add(model.assumeRole.roleArn);
  return [...roles];
}

/** The trust policy a model's role needs in its own account: the gateway's role may assume it. */
export function trustPolicy(gatewayRoleArn: string): object {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'SageGateGateway', Effect: 'Allow', Principal: { AWS: gatewayRoleArn }, Action: 'sts:AssumeRole' }],
  };
}

/** An endpoint's or inference component's ARN (names lower-cased, as SageMaker writes them). */
export function sageMakerArn(place: AwsPlace, region: string, resource: 'endpoint' | 'inference-component', name: string): string {
  return `arn:${place.partition ?? 'aws'}:sagemaker:${region}:${place.account}:${resource}/${name.toLowerCase()}`;
}

const sageMakerModels = (config: GatewayConfig): SageMakerModel[] => config.models.filter((m): m is SageMakerModel => m.provider === 'sagemaker');

/** Models the gateway invokes with its own role (not through a role in another account). */
const ownAccountModels = (config: GatewayConfig): SageMakerModel[] => sageMakerModels(config).filter((m) => !m.assumeRole);
