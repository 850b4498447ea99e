import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';

const token = (count: number): RetryToken => ({ getRetryCount: () => count, getRetryDelay: () => 0 });

/**
 * The SDK's own retries, cut down to two cases, once each call: a call that got no HTTP answer at all
 * (a keep-alive socket that went stale while Lambda froze the container) is sent again at once, and a
 * passing throttle is retried after up to half a second, as the SDK would. Other answers with a status
 * (5xx) are the router's to retry, on another deployment when the group has one, and the official
 * OpenAI clients retry too: retrying them here as well would multiply attempts.
 */
export const connectionRetries: RetryStrategyV2 = {
  acquireInitialRetryToken: async () => token(0),
  async refreshRetryTokenForRetry(previous: RetryToken, info: RetryErrorInfo): Promise<RetryToken> {
    const error = info.error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
    const unanswered = error?.$metadata?.httpStatusCode === undefined && info.errorType === 'TRANSIENT' && error?.name !== 'AbortError';
    const throttled = info.errorType === 'THROTTLING';
    if (previous.getRetryCount() >= 1 || !(unanswered || throttled)) throw new Error('no retry');
    if (throttled) await new Promise((resolve) => setTimeout(resolve, Math.random() * 500));
    return token(previous.getRetryCount() + 1);
  },
  recordSuccess: () => undefined,
};
