/**
 * Request metrics as CloudWatch Embedded Metric Format: fields of the access log line that CloudWatch
 * turns into metrics, with no API call and no extra latency. On where the runtime says so (Lambda,
 * whose log lines CloudWatch reads); elsewhere the lines carry the plain fields.
 */
export const METRICS_NAMESPACE = 'SageGate';

let emf = false;

/** Whether log lines carry Embedded Metric Format fields, for the whole process. */
export function configureMetrics(settings: { embedded: boolean }): void {
  emf = settings.embedded;
}

/** Whether log lines carry metrics (see `configureMetrics`). */
export const metricsEmbedded = (): boolean => emf;

const METRICS = [
  { Name: 'Requests', Unit: 'Count' },
  { Name: 'ClientErrors', Unit: 'Count' },
  { Name: 'ServerErrors', Unit: 'Count' },
  { Name: 'Throttled', Unit: 'Count' },
  { Name: 'Latency', Unit: 'Milliseconds' },
];

export function requestMetrics(status: number, ms: number, model: string | undefined): Record<string, unknown> {
  if (!emf) return {};
  return {
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        { Namespace: METRICS_NAMESPACE, Dimensions: model ? [['Service'], ['Service', 'Model']] : [['Service']], Metrics: METRICS },
      ],
    },
    Service: 'sagegate',
    ...(model && { Model: model }),
    Requests: 1,
    ClientErrors: status >= 400 && status < 500 && status !== 429 ? 1 : 0,
    ServerErrors: status >= 500 ? 1 : 0,
    Throttled: status === 429 ? 1 : 0,
    Latency: ms,
  };
}
