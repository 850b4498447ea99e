import { anthropicErrorBody, anthropicErrorResponse, anthropicStatus } from '../../../lambda/anthropic/errors.js';
import { GatewayError, invalidRequest, modelNotFound } from '../../../lambda/core/gateway-error.js';

describe("the gateway's errors in Anthropic's shape", () => {
  it.each([
    [invalidRequest('max_tokens: Field required', 'max_tokens'), 400, 'invalid_request_error'],
    [new GatewayError(401, 'Incorrect API key provided.', { code: 'invalid_api_key' }), 401, 'authentication_error'],
    [new GatewayError(403, "Your API key may not use model 'x'.", { code: 'model_not_allowed' }), 403, 'permission_error'],
    [modelNotFound('claude-nope'), 404, 'not_found_error'],
    [new GatewayError(413, 'The request body is larger than the limit.', { code: 'request_too_large' }), 413, 'request_too_large'],
    [new GatewayError(415, 'Unsupported content encoding.'), 415, 'invalid_request_error'],
    [new GatewayError(500, 'The gateway failed to process the request.', { code: 'internal_error' }), 500, 'api_error'],
    [new GatewayError(502, "Model 'm' failed: CUDA error", { code: 'upstream_error' }), 502, 'api_error'],
  ])('%s -> %i %s', (error, status, type) => {
    expect(anthropicStatus(error)).toBe(status);
    expect(anthropicErrorBody(error, 'req_1')).toEqual({ type: 'error', error: { type, message: error.message }, request_id: 'req_1' });
  });

  it('a model throttled, overloaded or starting is 529 overloaded_error, with Retry-After', async () => {
    const throttled = new GatewayError(429, "SageMaker is throttling requests to model 'm'; retry shortly.", {
      code: 'rate_limit_exceeded',
      retryAfter: 1,
      cause: new Error('ThrottlingException'),
    });
    const starting = new GatewayError(503, "Model 'm' is starting.", { code: 'model_starting', retryAfter: 30 });
    const notReady = new GatewayError(429, 'not ready', { code: 'model_not_ready', retryAfter: 2 });
    for (const error of [throttled, starting, notReady]) {
      const response = anthropicErrorResponse(error, 'req_2');
      expect(response.status).toBe(529);
      expect(response.headers.get('retry-after')).toBe(String(error.retryAfter));
      expect(response.headers.get('request-id')).toBe('req_2');
      expect((await response.json()).error.type).toBe('overloaded_error');
    }
  });

  it("the gateway's own limits (a key's rpm, a budget) stay 429 rate_limit_error", async () => {
    const limit = new GatewayError(429, 'Rate limit reached for this API key: 5 requests per minute.', {
      code: 'rate_limit_exceeded',
      retryAfter: 12,
    });
    const budget = new GatewayError(429, 'You exceeded your current quota.', { code: 'insufficient_quota', headers: { 'x-should-retry': 'false' } });
    expect(anthropicErrorResponse(limit).status).toBe(429);
    expect(anthropicErrorResponse(limit).headers.get('retry-after')).toBe('12');
    const refused = anthropicErrorResponse(budget);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-should-retry')).toBe('false');
    expect((await refused.json()).error.type).toBe('rate_limit_error');
  });
});
