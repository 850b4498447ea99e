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
