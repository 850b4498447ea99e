import '../support/loud-logs.js';
import { jest } from '@jest/globals';
import { containerError, fromContainerStatus } from '../../lambda/containers/container-errors.js';
import { GatewayError } from '../../lambda/core/gateway-error.js';
import { ChunkEncoder } from '../../lambda/openai/chat-response.js';
import { normalizeFinishReason } from '../../lambda/openai/chat-types.js';
import { fromSageMakerError } from '../../lambda/upstreams/sagemaker/errors.js';

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

describe('container error shapes', () => {
  it.each([
    [
      { error: 'Input validation error', error_type: 'validation' },
      { message: 'Input validation error', status: 422, kind: 'validation' },
    ],
    [
      { error: 'Model is overloaded', error_type: 'overloaded' },
      { message: 'Model is overloaded', status: 429, kind: 'overloaded' },
    ],
    [
      { error: 'CUDA OOM', error_type: 'generation' },
      { message: 'CUDA OOM', status: 424, kind: 'generation' },
    ],
    [
      { error: { message: 'maximum context length is 4096', type: 'BadRequestError', code: 400 } },
      { message: 'maximum context length is 4096', status: 400, kind: 'BadRequestError' },
    ],
    [
      { object: 'error', message: 'bad model name', code: 404 },
      { message: 'bad model name', status: 404 },
    ],
    [{ error: { message: 'no code' } }, { message: 'no code', status: undefined }],
    [{ choices: [] }, undefined],
    [null, undefined],
    ['text', undefined],
  ])('%j', (body, expected) => {
    expect(containerError(body)).toEqual(expected === undefined ? undefined : expect.objectContaining(expected));
  });

  it.each([
    [400, 400, 'model_rejected_request'],
    [422, 400, 'model_rejected_request'],
    [429, 429, 'model_overloaded'],
    [500, 502, 'upstream_error'],
    [undefined, 502, 'upstream_error'],
  ])('container status %s → %i %s', (status, expected, code) => {
    expect(fromContainerStatus(status, 'why', 'm')).toMatchObject({ status: expected, code });
  });
});

describe('finish reasons', () => {
  it.each([
    ['stop', 'stop'],
    ['length', 'length'],
    ['tool_calls', 'tool_calls'],
    ['content_filter', 'content_filter'],
    ['eos_token', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_length', 'length'],
    [null, null],
    [undefined, null],
  ])('%s → %s', (raw, expected) => {
    expect(normalizeFinishReason(raw, 'm')).toBe(expected);
  });

  it('an unknown word becomes stop, and the container word goes to the log once', () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(normalizeFinishReason('cosmic_ray', 'm-finish')).toBe('stop');
      expect(normalizeFinishReason('cosmic_ray', 'm-finish')).toBe('stop');
      const lines = write.mock.calls.map((call) => String(call[0])).filter((line) => line.includes('cosmic_ray'));
      expect(lines).toHaveLength(1);
    } finally {
      write.mockRestore();
    }
  });
});

describe('chat.completion.chunk encoding', () => {
  const meta = { id: 'chatcmpl-1', created: 7, model: 'm' };
  const usage = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 };
  const chunk = (choices: unknown[], extra = '') =>
    `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":7,"model":"m","choices":${JSON.stringify(choices)}${extra}}\n\n`;

  it.each([
    [
      'adds the role to the first delta',
      [{ type: 'delta', index: 0, delta: { content: 'Hi' } }],
      [chunk([{ index: 0, delta: { role: 'assistant', content: 'Hi' }, logprobs: null, finish_reason: null }])],
    ],
    [
      'drops a repeated role, keeps the finish reason',
      [
        { type: 'delta', index: 0, delta: { role: 'assistant', content: 'a' } },
        { type: 'delta', index: 0, delta: { role: 'assistant', content: 'b' }, finishReason: 'length' },
      ],
      [
        chunk([{ index: 0, delta: { role: 'assistant', content: 'a' }, logprobs: null, finish_reason: null }]),
        chunk([{ index: 0, delta: { content: 'b' }, logprobs: null, finish_reason: 'length' }]),
      ],
    ],
    [
      'gives each choice its own first role',
      [{ type: 'delta', index: 1, delta: { content: 'x' } }],
      [chunk([{ index: 1, delta: { role: 'assistant', content: 'x' }, logprobs: null, finish_reason: null }])],
    ],
    ['holds usage back', [{ type: 'usage', usage, estimated: false }], ['']],
  ] as const)('%s', (_name, events, expected) => {
    const encoder = new ChunkEncoder(meta, true);
    expect(events.map((e) => encoder.encode(e as never))).toEqual(expected);
  });

  it('ends with the usage chunk only when asked for, then [DONE]; a failure ends with an error event', () => {
    const asked = new ChunkEncoder(meta, true);
    asked.encode({ type: 'usage', usage, estimated: false });
    expect(asked.end()).toBe(`${chunk([], `,"usage":${JSON.stringify(usage)}`)}data: [DONE]\n\n`);
    const notAsked = new ChunkEncoder(meta, false);
    notAsked.encode({ type: 'usage', usage, estimated: false });
    expect(notAsked.end()).toBe('data: [DONE]\n\n');
    expect(asked.fail(new GatewayError(502, 'broke', { code: 'upstream_error' }))).toBe(
      'data: {"error":{"message":"broke","type":"api_error","param":null,"code":"upstream_error"}}\n\ndata: [DONE]\n\n',
    );
  });
});
