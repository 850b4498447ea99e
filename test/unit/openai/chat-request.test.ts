import { GatewayError } from '../../../lambda/core/gateway-error.js';
import { chatRequestSchema, parseChatRequest } from '../../../lambda/openai/chat-request.js';
import { parseEmbeddingsRequest } from '../../../lambda/openai/embeddings-request.js';
import { FIRST_ISSUE_ONLY } from '../../../lambda/openai/first-issue.js';

describe('validation stops at the first invalid item', () => {
  it('records one issue for an array of a thousand bad items (zod honours abortEarly)', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: new Array(1000).fill(0) }] };
    const collected = chatRequestSchema.safeParse(body).error!.issues[0]!;
    const early = chatRequestSchema.safeParse(body, FIRST_ISSUE_ONLY).error!.issues[0]!;
    const branchIssues = (issue: typeof early) => (issue.code === 'invalid_union' ? issue.errors.reduce((n, e) => n + e.length, 0) : 1);
    expect(branchIssues(collected)).toBeGreaterThan(1000);
    expect(branchIssues(early)).toBeLessThanOrEqual(2);
  });

  it('names the first bad item as before', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'ok' }, ...new Array(90_000).fill({ type: 'nope' })] }] };
    expect(() => parseChatRequest(body)).toThrow(
      expect.objectContaining({ param: 'messages[0].content[1].type', message: expect.stringContaining('"nope" is not supported') }),
    );
    expect(() => parseEmbeddingsRequest({ model: 'e', input: [1, 2, ...new Array(90_000).fill('x')] })).toThrow(
      expect.objectContaining({ status: 400 }),
    );
  });
});

describe('error messages never echo a large client value', () => {
  it.each([
    ['a 5 MB role', { model: 'm', messages: [{ role: 'r'.repeat(5_000_000), content: 'x' }] }, 'messages[0].role'],
    [
      'a part type that is an object',
      { model: 'm', messages: [{ role: 'user', content: [{ type: { deep: ['x'.repeat(100_000)] } }] }] },
      'messages[0].content[0].type',
    ],
  ])('%s', (_name, body, param) => {
    try {
      parseChatRequest(body);
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toMatchObject({ status: 400, param });
      expect(JSON.stringify((error as GatewayError).toJSON()).length).toBeLessThan(400);
    }
  });

  it('caps any message and param as a backstop', () => {
    const error = new GatewayError(400, `upstream said: ${'x'.repeat(1_000_000)}`, { param: 'p'.repeat(10_000) });
    expect(error.message.length).toBeLessThanOrEqual(2001);
    expect(error.param!.length).toBeLessThanOrEqual(257);
  });
});
