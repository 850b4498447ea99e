import { NodeHttpHandler, type NodeHttpHandlerOptions } from '@smithy/node-http-handler';

/**
 * Time limits for the AWS calls a request waits on. The SDK sets none by default: a service that
 * accepts the connection and never answers holds the call, and every request waiting on it, for good
 * (docs/wire-facts.md §12). Every AWS client on the request path builds its HTTP handler from here.
 *
 * The limits are per attempt; with the SDK's retry (`maxAttempts: 2`) a dead service costs at most
 * about twice the request timeout.
 */
export interface AwsCallLimits {
  /** To set up the connection (TCP and TLS). */
  connectionTimeoutMs: number;
  /** For one whole attempt, answer included. Not for calls whose answers stream for minutes (SageMaker). */
  requestTimeoutMs?: number;
  /** Of silence on the socket while waiting for, or reading, the answer. */
  idleTimeoutMs?: number;
  /** Connections per host; the SDK's default is 50. */
  maxSockets?: number;
}

/** What one AWS client may spend: per-attempt limits and attempts (the SDK's retries). */
export interface AwsClientPolicy extends AwsCallLimits {
  maxAttempts: number;
}

/**
 * Every AWS client the gateway and its tools create, with its limits, in one place. Each one gives up
 * on a service that accepts the connection and never answers, with an error (the request timeout
 * throws: the SDK's default only warns and keeps waiting).
 */
export const AWS_CLIENTS = {
  /** Secrets Manager reads on the request path (the key store, upstream keys): tens of milliseconds when healthy. */
  secrets: { connectionTimeoutMs: 1000, requestTimeoutMs: 1500, maxAttempts: 2 },
  /** STS AssumeRole for cross-account models, before their first call and at each refresh. */
  sts: { connectionTimeoutMs: 2000, requestTimeoutMs: 3000, maxAttempts: 2 },
  /**
   * Usage counters: no SDK retry, since an ADD that timed out may have been applied and a blind retry
   * would count it twice (the store retries only what certainly did not apply).
   */
  usage: { connectionTimeoutMs: 1000, requestTimeoutMs: 1000, maxAttempts: 1 },
  /** Stored Responses API answers: whole-item puts and reads, safe to retry; a slow table must not hold a finished answer long. */
  storedResponses: { connectionTimeoutMs: 1000, requestTimeoutMs: 2000, maxAttempts: 3 },
  /** The CLI and the CDK app (Secrets Manager, CloudFormation, DynamoDB): an operator waits, but not for ever. */
  tools: { connectionTimeoutMs: 3000, requestTimeoutMs: 5000, maxAttempts: 2 },
} as const satisfies Record<string, AwsClientPolicy>;

/** Small reads on the request path (Secrets Manager): tens of milliseconds when healthy. */
export const QUICK_AWS_CALL: AwsCallLimits = AWS_CLIENTS.secrets;

/** The handler options for `limits`, for clients that subclass the handler (SageMaker's). */
export function awsHttpHandlerOptions(limits: AwsCallLimits): NodeHttpHandlerOptions {
  const options: NodeHttpHandlerOptions = { connectionTimeout: limits.connectionTimeoutMs };
  if (limits.requestTimeoutMs) Object.assign(options, { requestTimeout: limits.requestTimeoutMs, throwOnRequestTimeout: true });
  if (limits.idleTimeoutMs) options.socketTimeout = limits.idleTimeoutMs;
  if (limits.maxSockets) {
    options.httpAgent = { maxSockets: limits.maxSockets };
    options.httpsAgent = { maxSockets: limits.maxSockets };
  }
  return options;
}

/** An HTTP handler for an AWS SDK client with `limits`. */
export const awsHttpHandler = (limits: AwsCallLimits = QUICK_AWS_CALL): NodeHttpHandler => new NodeHttpHandler(awsHttpHandlerOptions(limits));

/** The client options of a policy: `new XClient({ region, ...awsClientOptions(AWS_CLIENTS.sts) })`. */
export const awsClientOptions = (policy: AwsClientPolicy): { maxAttempts: number; requestHandler: NodeHttpHandler } => ({
  maxAttempts: policy.maxAttempts,
  requestHandler: awsHttpHandler(policy),
});
