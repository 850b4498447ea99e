import type { ModelConfig } from '../config/config.js';

/** The kinds of upstream, one folder each under lambda/upstreams/. */
export type UpstreamKind = 'sagemaker' | 'sagemaker-openai' | 'openai-http' | 'hosted';

/** Which kind of upstream a configured model is on: the one place that tells them apart. */
export function upstreamKind(model: ModelConfig): UpstreamKind {
  if (model.provider === 'openai') return model.hosted ? 'hosted' : 'openai-http';
  return model.route === 'openai' ? 'sagemaker-openai' : 'sagemaker';
}
