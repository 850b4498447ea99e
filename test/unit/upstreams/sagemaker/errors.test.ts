import '../../../support/loud-logs.js';
import { fromSageMakerError } from '../../../../lambda/upstreams/sagemaker/errors.js';

/** The pure mappings, as tables: what each upstream word becomes for an OpenAI client. */

const sdkError = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${name} happened`), { name, ...extra });
const live = new AbortController().signal;

describe('SageMaker errors', () => {
  it.each([
    ['ThrottlingException', {}, 429, 'rate_limit_exceeded', 1],
    ['ModelNotReadyException', {}, 429, 'model_not_ready', 5],
    ['ValidationError', {}, 502, 'upstream_misconfigured', undefined],
    ['ServiceUnavailable', {}, 503, 'upstream_unavailable', 1],
    ['InternalFailure', {}, 502, 'upstream_error', undefined],
    ['InternalDependencyException', {}, 502, 'upstream_error', undefined],
    ['ModelStreamError', { ErrorCode: 'ModelInvocationTimeExceeded' }, 504, 'upstream_timeout', undefined],
    ['ModelStreamError', { ErrorCode: 'StreamBroken' }, 502, 'upstream_error', undefined],
    ['InternalStreamFailure', {}, 502, 'upstream_error', undefined],
    ['AccessDeniedException', {}, 502, 'upstream_misconfigured', undefined],
    ['InvalidSignatureException', {}, 502, 'upstream_misconfigured', undefined],
    ['ExpiredTokenException', {}, 502, 'upstream_misconfigured', undefined],
    ['TimeoutError', {}, 504, 'upstream_timeout', undefined],
    ['ECONNRESET', {}, 502, 'upstream_error', undefined],
    [
      'ModelError',
      { OriginalStatusCode: 422, OriginalMessage: '{"error":"Input validation error","error_type":"validation"}' },
      400,
      'model_rejected_request',
      undefined,
    ],
    ['ModelError', { OriginalStatusCode: 429, OriginalMessage: 'busy' }, 429, 'model_overloaded', 1],
    ['ModelError', { OriginalStatusCode: 500, OriginalMessage: 'CUDA out of memory' }, 502, 'upstream_error', undefined],
  ])('%s %j → %i %s', (name, extra, status, code, retryAfter) => {
    const error = sdkError(name, extra);
    const mapped = fromSageMakerError(error, 'm', live);
    expect(mapped).toMatchObject({ status, code, retryAfter });
    // The SDK's error stays attached for the log, never in the client's message.
    expect(mapped.cause).toBe(error);
    expect(mapped.message).not.toContain('stack');
  });

  it('a ModelError carries the container message, not the JSON around it', () => {
    const mapped = fromSageMakerError(
      sdkError('ModelError', {
        OriginalStatusCode: 422,
        OriginalMessage: '{"error":"Input validation error: prompt too long","error_type":"validation"}',
      }),
      'm',
      live,
    );
    expect(mapped.message).toBe("Model 'm' rejected the request: Input validation error: prompt too long");
  });

  it('an aborted call is the abort, whatever the SDK said', () => {
    const controller = new AbortController();
    controller.abort();
    expect(fromSageMakerError(sdkError('AbortError'), 'm', controller.signal)).toMatchObject({ status: 499, code: 'client_closed_request' });
  });
});
