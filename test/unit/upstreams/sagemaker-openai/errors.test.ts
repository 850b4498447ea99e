import '../../../support/loud-logs.js';
import type { SageMakerModel } from '../../../../lambda/config/config.js';
import { fromOpenAIRouteError } from '../../../../lambda/upstreams/sagemaker-openai/errors.js';

describe("the OpenAI-compatible route's errors", () => {
  const model = { name: 'qwen', endpoint: 'qwen-ep', inferenceComponent: 'qwen-ic' } as SageMakerModel;
  const live = new AbortController().signal;
  const envelope = (message: string, code: string, type = 'invalid_request_error') => JSON.stringify({ error: { message, type, code } });
  const vllmBody = JSON.stringify({ error: { message: "This model's maximum context length is 4096 tokens.", type: 'BadRequestError', code: 400 } });

  it.each([
    [
      'no capacity (scale to zero)',
      400,
      {},
      envelope(
        'Inference Component has no capacity to process this request. ApplicationAutoScaling may be in-progress (if configured) or try to increase the capacity by invoking UpdateInferenceComponentRuntimeConfig API.',
        'validation_error',
      ),
      { status: 503, code: 'model_starting', retryAfter: 30 },
    ],
    [
      'unknown endpoint',
      400,
      {},
      envelope('Endpoint qwen-ep of account 123456789012 not found.', 'validation_error'),
      { status: 502, code: 'upstream_misconfigured' },
    ],
    [
      'a container refusal, quoted',
      424,
      {},
      envelope(
        `Received client error (400) from primary with message ${JSON.stringify(vllmBody)}. See https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logEventViewer:group=/aws/sagemaker/Endpoints/qwen-ep in account 123456789012 for more information.`,
        'model_error',
        'server_error',
      ),
      { status: 400, code: 'model_rejected_request' },
    ],
    [
      'a container crash, quoted',
      424,
      {},
      envelope(
        'Received server error (500) from primary with message "CUDA out of memory". See https://x in account 123456789012.',
        'model_error',
        'server_error',
      ),
      { status: 502, code: 'upstream_error' },
    ],
    ['a refused token', 403, {}, envelope('Forbidden', 'access_denied'), { status: 502, code: 'upstream_misconfigured' }],
    [
      'throttling',
      429,
      { 'retry-after': '3' },
      envelope('Too many requests', 'throttling'),
      { status: 429, code: 'rate_limit_exceeded', retryAfter: 3 },
    ],
    ['SageMaker Runtime shape', 400, { 'x-amzn-errortype': 'ThrottlingException:http://internal' }, '{"message":"Rate exceeded"}', { status: 429 }],
    ['unavailable', 503, {}, 'Service Unavailable', { status: 503, code: 'upstream_unavailable' }],
  ])('%s (HTTP %i)', (_what, status, headers, text, expected) => {
    const mapped = fromOpenAIRouteError(status, headers as Record<string, string>, text, model, live);
    expect(mapped).toMatchObject(expected);
    expect(mapped.message).not.toContain('123456789012');
  });

  it("keeps the container's own message, unquoted", () => {
    const mapped = fromOpenAIRouteError(
      424,
      {},
      envelope(
        `Received client error (400) from primary with message ${JSON.stringify(vllmBody)}. See https://x for more information.`,
        'model_error',
      ),
      model,
      live,
    );
    expect(mapped.message).toBe("Model 'qwen' rejected the request: This model's maximum context length is 4096 tokens.");
  });

  it('names the starting component', () => {
    const mapped = fromOpenAIRouteError(
      400,
      {},
      envelope('Inference Component has no capacity to process this request.', 'validation_error'),
      model,
      live,
    );
    expect(mapped.message).toContain("inference component 'qwen-ic' has no copy running and is starting");
  });
});

describe("the OpenAI-compatible route's errors, as the client sees them", () => {
  const model = { name: 'qwen', endpoint: 'qwen-ep', inferenceComponent: 'qwen-ic' } as SageMakerModel;
  const live = new AbortController().signal;
  const envelope = (message: string, code: string, type = 'invalid_request_error') => JSON.stringify({ error: { message, type, code } });
  const quoted = (status: number, body: string) =>
    envelope(
      `Received ${status < 500 ? 'client' : 'server'} error (${status}) from primary with message ${JSON.stringify(body)}. See https://x in account 123456789012 for more information.`,
      'model_error',
      'server_error',
    );

  it('marks a prompt too long quoted from the container, so a context-window fallback can take it', () => {
    const vllm = JSON.stringify({ error: { message: "This model's maximum context length is 4096 tokens.", type: 'BadRequestError', code: 400 } });
    expect(fromOpenAIRouteError(424, {}, quoted(400, vllm), model, live)).toMatchObject({ status: 400, promptTooLong: true });
  });

  it('gives a TGI overload quoted from the container as 429 with Retry-After', () => {
    const tgi = JSON.stringify({ error: 'Model is overloaded', error_type: 'overloaded' });
    expect(fromOpenAIRouteError(424, {}, quoted(429, tgi), model, live)).toMatchObject({
      status: 429,
      code: 'model_overloaded',
      retryAfter: 1,
      message: "Model 'qwen' is overloaded: Model is overloaded",
    });
  });

  it.each([
    ['an unknown route (404)', 404, 'no OpenAI-compatible route', 'upstream_misconfigured'],
    ['a token refused (401)', 401, 'sagemaker:CallWithBearerToken', 'upstream_misconfigured'],
  ])('takes %s for a gateway misconfiguration (502) that says what to check', (_what, status, advice, code) => {
    const mapped = fromOpenAIRouteError(status, {}, envelope('Not found', 'not_found'), model, live);
    expect(mapped).toMatchObject({ status: 502, code });
    expect(mapped.message).toContain(advice);
  });

  it('gives throttling without Retry-After a Retry-After of 1 s', () => {
    expect(fromOpenAIRouteError(429, {}, envelope('Too many requests', 'throttling'), model, live)).toMatchObject({ status: 429, retryAfter: 1 });
  });

  it("takes a container's own 4xx in OpenAI's envelope for the client's mistake, and a bare 5xx for the upstream's", () => {
    expect(fromOpenAIRouteError(400, {}, envelope('temperature must be non-negative', 'BadRequestError'), model, live)).toMatchObject({
      status: 400,
      code: 'model_rejected_request',
      message: "Model 'qwen' rejected the request: temperature must be non-negative",
    });
    expect(fromOpenAIRouteError(500, {}, '<html>Internal Server Error</html>', model, live)).toMatchObject({
      status: 502,
      code: 'upstream_error',
      message: "Model 'qwen' failed: <html>Internal Server Error</html>",
    });
  });

  it("reads SageMaker Runtime's ModelError shape, with the container's message", () => {
    const body = JSON.stringify({
      OriginalStatusCode: 422,
      OriginalMessage: JSON.stringify({ error: 'Input validation error: `top_p` must be > 0.0 and < 1.0', error_type: 'validation' }),
      Message: 'Received client error (422) from primary with message "...". See ... in account 123456789012',
    });
    const mapped = fromOpenAIRouteError(
      424,
      { 'x-amzn-errortype': 'ModelError:http://internal.amazon.com/coral/com.amazon.sagemaker/' },
      body,
      model,
      live,
    );
    expect(mapped).toMatchObject({
      status: 400,
      code: 'model_rejected_request',
      message: "Model 'qwen' rejected the request: Input validation error: `top_p` must be > 0.0 and < 1.0",
    });
  });

  it('cuts a huge upstream message short', () => {
    const mapped = fromOpenAIRouteError(500, {}, envelope('x'.repeat(100_000), 'internal'), model, live);
    expect(mapped.status).toBe(502);
    expect(mapped.message.length).toBeLessThan(1100);
  });

  it('is the abort when the call was cut, whatever the route answered', () => {
    const left = new AbortController();
    left.abort();
    expect(fromOpenAIRouteError(400, { 'x-amzn-errortype': 'ValidationError' }, '{"message":"x"}', model, left.signal)).toMatchObject({
      status: 499,
    });
  });
});
