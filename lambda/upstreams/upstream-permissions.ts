import type { ModelConfig } from '../config/config.js';

/** Where ARNs point: the deployment's partition, region and account (plain strings, or CDK tokens for them). */
export interface AwsPlace {
  /** @default 'aws' */
  partition?: string;
  region: string;
  account: string;
}

/** One statement of the role's policy. */
export interface UpstreamPermission {
  /** The statement's id, stable across deployments (reviews and tests find statements by it); one set of actions per id. */
  sid: string;
  actions: string[];
  resources: string[];
  /** Set when the resource is `*`: the action has no resource-level permissions, and this says what it is for. */
  anyResourceBecause?: string;
  /** Set when a resource holds a wildcard pattern: why it still matches one resource only. */
  patternBecause?: string;
}

/** One upstream kind's IAM facts: the statements one of its deployments needs (none: nothing). */
export interface UpstreamPermissions<M extends ModelConfig = ModelConfig> {
  permissions(model: M, place: AwsPlace): UpstreamPermission[];
}
