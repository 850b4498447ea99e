import {
  containerError,
  containerMessage,
  failOnContainerError,
  fromContainerStatus,
  malformedEvent,
  unreadableAnswer,
} from '../../../lambda/containers/container-errors.js';

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

describe("what a client sees of a container's error", () => {
  it.each([
    ["LMI's validation error", { error: 'Input prompt is missing', code: 424 }, 'Input prompt is missing'],
    [
      "LMI's handler failure: the detail, not the generic message",
      { code: 424, message: 'invoke handler failure', error: 'CUDA error' },
      'CUDA error',
    ],
    ['a vLLM code given as a string', { error: { message: 'bad', type: 'BadRequestError', code: '400' } }, 'bad'],
  ])('%s', (_what, body, message) => {
    expect(containerError(body)?.message).toBe(message);
  });

  it('keeps a status only when it is an HTTP error status', () => {
    expect(containerError({ error: { message: 'bad', code: '400' } })?.status).toBe(400);
    expect(containerError({ error: { message: 'odd', code: 200 } })?.status).toBeUndefined();
    expect(containerError({ error: { message: 'odd', code: 'invalid_value' } })?.status).toBeUndefined();
    expect(containerError({ error: 'broke', error_type: 'incomplete_generation' })?.status).toBe(500);
  });

  it('reads the message out of a JSON body, and keeps other text as it is', () => {
    expect(containerMessage('{"error":"Input validation error","error_type":"validation"}')).toBe('Input validation error');
    expect(containerMessage('upstream connect error')).toBe('upstream connect error');
    expect(containerMessage('{"detail":"not an error shape"}')).toBe('{"detail":"not an error shape"}');
  });

  it.each([
    [400, "Model 'm' rejected the request: why"],
    [429, "Model 'm' is overloaded: why"],
    [503, "Model 'm' failed: why"],
  ])('says whose fault a %i is', (status, message) => {
    expect(fromContainerStatus(status, 'why', 'm').message).toBe(message);
  });

  it.each([
    "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens.",
    'Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096. Given: 4000 `inputs` tokens and 200 `max_new_tokens`',
    'The decoder prompt (length 9000) is longer than the maximum model length of 8192.',
    'Input prompt (9000 tokens) is too long and exceeds limit of 8192',
    'the request exceeds the available context size, try increasing it',
    'prompt is too long: 210000 tokens > 200000 maximum',
  ])('marks a refusal of a prompt too long for context-window fallbacks: %s', (message) => {
    expect(fromContainerStatus(400, message, 'm')).toMatchObject({ status: 400, promptTooLong: true });
  });

  it('does not mark other refusals as a prompt too long', () => {
    expect(fromContainerStatus(422, 'temperature must be positive', 'm').promptTooLong).toBe(false);
  });

  it('finds an error in a 200 answer or a stream event, and lets answers through', () => {
    expect(() => failOnContainerError({ error: 'Model is overloaded', error_type: 'overloaded' }, 'm')).toThrow(
      expect.objectContaining({ status: 429, code: 'model_overloaded' }),
    );
    expect(() => failOnContainerError({ error: { message: 'broke', type: 'InternalServerError', code: 500 } }, 'm')).toThrow(
      expect.objectContaining({ status: 502, code: 'upstream_error' }),
    );
    expect(() => failOnContainerError({ choices: [{ message: { content: 'error' } }] }, 'm')).not.toThrow();
    expect(() => failOnContainerError([{ generated_text: 'error' }], 'm')).not.toThrow();
  });

  it('says which dialect could not read an answer, and that an event was malformed (502)', () => {
    expect(unreadableAnswer('m', 'tgi')).toMatchObject({
      status: 502,
      code: 'upstream_error',
      message: "Model 'm' answered in a format the 'tgi' dialect does not understand.",
    });
    expect(malformedEvent('m')).toMatchObject({ status: 502, code: 'upstream_error' });
  });
});
