/** The shapes the console's API answers with (lambda/console/routes.ts). */
export interface Figures {
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost: number;
}

export interface UsageSeries {
  range: '30d' | '48h';
  group: string;
  buckets: string[];
  series: { name: string; figures: Figures[] }[];
  totals: Figures & { estimated_requests: number; unpriced_requests: number };
}

export type { BudgetStanding as Budget } from '../../usage/budget-period.js';

export type Metric = 'requests' | 'tokens' | 'cost';

export const metricOf = (f: Figures, metric: Metric): number =>
  metric === 'requests' ? f.requests : metric === 'tokens' ? f.prompt_tokens + f.completion_tokens : f.cost;
