import { containerError, fromContainerStatus } from '../../../lambda/containers/container-errors.js';

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
