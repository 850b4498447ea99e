import { METRICS_NAMESPACE, metricsEmbedded } from '../core/metrics.js';

/**
 * Usage as CloudWatch Embedded Metric Format fields (as `core/metrics.ts` does for requests): one
 * line per metered request with tokens and cost by model and by key, and counts of metering and
 * store failures, where the runtime embeds metrics (`configureMetrics`).
 */
const USAGE_METRICS = [
  { Name: 'MeteredRequests', Unit: 'Count' },
  { Name: 'PromptTokens', Unit: 'Count' },
  { Name: 'CompletionTokens', Unit: 'Count' },
  { Name: 'CostUSD', Unit: 'None' },
];

export function usageMetrics(keyId: string, model: string, promptTokens: number, completionTokens: number, cost: number): Record<string, unknown> {
  if (!metricsEmbedded()) return {};
  return {
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        { Namespace: METRICS_NAMESPACE, Dimensions: [['Service'], ['Service', 'Model'], ['Service', 'Key']], Metrics: USAGE_METRICS },
      ],
    },
    Service: 'sagegate',
    Model: model,
    Key: keyId,
    MeteredRequests: 1,
    PromptTokens: promptTokens,
    CompletionTokens: completionTokens,
    CostUSD: cost,
  };
}

/** `MeteringFailures` (a usage write that did not land) or `UsageStoreErrors` (a check that could not reach the store). */
export function failureMetric(name: 'MeteringFailures' | 'UsageStoreErrors', count = 1): Record<string, unknown> {
  if (!metricsEmbedded()) return {};
  return {
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [['Service']], Metrics: [{ Name: name, Unit: 'Count' }] }],
    },
    Service: 'sagegate',
    [name]: count,
  };
}
