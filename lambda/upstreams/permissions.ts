/**
 * What the gateway's role may do for its upstreams, as plain data: the CDK app turns each entry into
 * one IAM statement. Each upstream kind states its own needs in its folder (`<kind>/permissions.ts`),
 * next to the calls that need them, so a new call and its permission change together. Nothing here
 * imports an AWS SDK or CDK: the CDK app imports this at synth time, and the bundle never does.
 */
import type { ModelConfig } from '../config/config.js';
import { hostedProviderPermissions } from './hosted/permissions.js';
import { type UpstreamKind, upstreamKind } from './kind.js';
import { openAIServerPermissions } from './openai-http/permissions.js';
import { sageMakerPermissions } from './sagemaker/permissions.js';
import { sageMakerOpenAIPermissions } from './sagemaker-openai/permissions.js';
import type { AwsPlace, UpstreamPermission, UpstreamPermissions } from './upstream-permissions.js';

export type { AwsPlace, UpstreamPermission, UpstreamPermissions } from './upstream-permissions.js';

const BY_KIND = {
  sagemaker: sageMakerPermissions,
  'sagemaker-openai': sageMakerOpenAIPermissions,
  'openai-http': openAIServerPermissions,
  hosted: hostedProviderPermissions,
} as Record<UpstreamKind, UpstreamPermissions>;

/**
 * The statements all of a config's deployments need, merged: one statement per id (resources in config
 * order, each once), and a resource dropped from a statement whose actions another statement already
 * grants on it (a streaming endpoint needs no separate InvokeEndpoint-only grant).
 */
export function upstreamPermissions(models: readonly ModelConfig[], place: AwsPlace): UpstreamPermission[] {
  const merged = new Map<string, UpstreamPermission>();
  for (const model of models) {
    for (const p of BY_KIND[upstreamKind(model)].permissions(model, place)) {
      const seen = merged.get(p.sid);
      if (!seen) {
        merged.set(p.sid, { ...p, actions: [...p.actions], resources: [...new Set(p.resources)] });
        continue;
      }
      if (seen.actions.join() !== p.actions.join()) throw new Error(`statement ${p.sid} is given two sets of actions`);
      for (const r of p.resources) if (!seen.resources.includes(r)) seen.resources.push(r);
    }
  }
  const statements = [...merged.values()];
  for (const s of statements) s.resources = s.resources.filter((r) => !statements.some((other) => other !== s && covers(other, s, r)));
  return statements.filter((s) => s.resources.length > 0);
}

/** Whether `other` grants every action of `s` (and more) on resource `r`. */
const covers = (other: UpstreamPermission, s: UpstreamPermission, r: string): boolean =>
  other.resources.includes(r) && other.actions.length > s.actions.length && s.actions.every((a) => other.actions.includes(a));

/** The roles in other accounts the gateway assumes for its models, each once, in config order. */
export const assumedRoles = (permissions: readonly UpstreamPermission[]): string[] =>
  permissions.filter((p) => p.actions.includes('sts:AssumeRole')).flatMap((p) => p.resources);
