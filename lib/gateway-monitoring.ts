import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../lambda/core/metrics.js';

export interface GatewayMonitoringProps {
  readonly function: lambda.IFunction;
  readonly timeout: Duration;
  /** Alarm notifications go here when given. */
  readonly alarmTopic?: sns.ITopic;
  /** The usage table: its store failures alarm, its usage is graphed. */
  readonly usageTable?: dynamodb.ITable;
}

/**
 * A dashboard and alarms for the gateway: Lambda's own metrics (errors, throttles, duration) and the
 * gateway's request metrics (5xx answers, 429s, latency to the first byte), which the handler emits
 * in its access log line as CloudWatch Embedded Metric Format.
 */
export class GatewayMonitoring extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: GatewayMonitoringProps) {
    super(scope, id);
    const fn = props.function;
    const five = Duration.minutes(5);
    const gateway = (metricName: string, statistic = 'Sum') =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { Service: 'sagegate' }, statistic, period: five });

    const alarm = (name: string, metric: cloudwatch.IMetric, threshold: number, description: string) =>
      new cloudwatch.Alarm(this, name, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
    this.alarms = [
      alarm('FunctionErrors', fn.metricErrors({ period: five }), 1, 'The gateway function crashed (it answers every handled failure itself).'),
      alarm('FunctionThrottles', fn.metricThrottles({ period: five }), 1, 'Lambda refused invocations: raise reserved or account concurrency.'),
      alarm(
        'SlowResponses',
        fn.metricDuration({ period: five, statistic: 'p99' }),
        props.timeout.toMilliseconds() * 0.8,
        'p99 duration is within 20% of the timeout: long generations risk being cut.',
      ),
      alarm('UpstreamFailures', gateway('ServerErrors'), 5, 'The gateway answered 5xx (SageMaker or an upstream failing, or a misconfigured model).'),
      alarm('ClientsThrottled', gateway('Throttled'), 20, 'Clients got 429s: SageMaker throttling, endpoints not ready, or key rate limits.'),
      ...(props.usageTable
        ? [
            alarm(
              'UsageStoreUnavailable',
              gateway('UsageStoreErrors'),
              1,
              'The usage table could not be reached: limits and budgets are failing open (for usage.fail_open_seconds) or closed, per usage.when_unavailable.',
            ),
            alarm(
              'MeteringFailures',
              gateway('MeteringFailures'),
              1,
              'Answered requests could not be counted in the usage table (each is logged with its usage).',
            ),
          ]
        : []),
    ];
    if (props.alarmTopic) for (const a of this.alarms) a.addAlarmAction(new actions.SnsAction(props.alarmTopic));

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Requests and answers',
            left: [gateway('Requests'), gateway('ClientErrors'), gateway('ServerErrors'), gateway('Throttled')],
          }),
          new cloudwatch.GraphWidget({ title: 'Latency to first byte (ms)', left: [gateway('Latency', 'p50'), gateway('Latency', 'p99')] }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Lambda invocations, errors, throttles',
            left: [fn.metricInvocations({ period: five }), fn.metricErrors({ period: five }), fn.metricThrottles({ period: five })],
          }),
          new cloudwatch.GraphWidget({
            title: 'Lambda duration (ms)',
            left: [fn.metricDuration({ period: five, statistic: 'p50' }), fn.metricDuration({ period: five, statistic: 'p99' })],
          }),
          new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms }),
        ],
        ...(props.usageTable ? [usageWidgets(gateway)] : []),
      ],
    });
  }
}

/** Tokens and cost in all, then per key and per model (one line each, found by SEARCH as keys and models come and go). */
function usageWidgets(gateway: (metricName: string, statistic?: string) => cloudwatch.Metric): cloudwatch.IWidget[] {
  const search = (dimension: string, metric: string, label: string) =>
    new cloudwatch.MathExpression({
      expression: `SEARCH('{${METRICS_NAMESPACE},Service,${dimension}} MetricName="${metric}"', 'Sum', 300)`,
      label,
      period: Duration.minutes(5),
    });
  return [
    new cloudwatch.GraphWidget({
      title: 'Tokens and cost (USD)',
      left: [gateway('PromptTokens'), gateway('CompletionTokens')],
      right: [gateway('CostUSD')],
    }),
    new cloudwatch.GraphWidget({ title: 'Cost by key (USD)', left: [search('Key', 'CostUSD', '')] }),
    new cloudwatch.GraphWidget({ title: 'Tokens by model', left: [search('Model', 'PromptTokens', ''), search('Model', 'CompletionTokens', '')] }),
    new cloudwatch.GraphWidget({ title: 'Requests by key', left: [search('Key', 'MeteredRequests', '')] }),
  ];
}
