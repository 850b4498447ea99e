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

/** Small reads on the request path (Secrets Manager, STS, DynamoDB): tens of milliseconds when healthy. */
export const QUICK_AWS_CALL: AwsCallLimits = { connectionTimeoutMs: 1000, requestTimeoutMs: 1500 };

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

/** An HTTP handler for an AWS SDK client: `new XClient({ requestHandler: awsHttpHandler(), maxAttempts: 2 })`. */
export const awsHttpHandler = (limits: AwsCallLimits = QUICK_AWS_CALL): NodeHttpHandler => new NodeHttpHandler(awsHttpHandlerOptions(limits));
