import { GatewayError } from '../../../../lambda/core/gateway-error.js';
import { failureKind, fallsBack } from '../../../../lambda/models/router/failure-kinds.js';
import { failures } from '../../../support/stub-models.js';

/** What the router does after a failed attempt: retry, cool down, fall back, or give the client the error. */

describe('failure kinds', () => {
  it.each([
    ['the client left', failures.clientGone(), 'final', false],
    ["the gateway's own deadline", new GatewayError(504, 'deadline', { code: 'gateway_timeout' }), 'final', false],
    ["the client's mistake", failures.rejected(), 'final', false],
    ['a prompt too long for the model', failures.tooLong(), 'context', false],
    ['throttling', failures.throttled(), 'throttled', true],
    ['a component starting from zero', failures.starting(), 'starting', true],
    ['a deployment the gateway cannot use', failures.misconfigured(), 'broken', true],
    ['a container failure', failures.server(), 'failed', true],
    ['SageMaker unavailable', failures.unavailable(), 'failed', true],
    ['an attempt timed out', new GatewayError(504, 'slow', { code: 'upstream_timeout' }), 'failed', true],
    ['a bug in the gateway', new GatewayError(500, 'bug', { code: 'internal_error' }), 'failed', true],
  ])('%s is %s (falls back: %s)', (_what, error, kind, fallback) => {
    expect(failureKind(error)).toBe(kind);
    expect(fallsBack(failureKind(error))).toBe(fallback);
  });

  it('takes a prompt too long for a context problem, whatever the status', () => {
    const error = new GatewayError(502, 'prompt is too long', { code: 'upstream_error', promptTooLong: true });
    expect(failureKind(error)).toBe('context');
  });
});
