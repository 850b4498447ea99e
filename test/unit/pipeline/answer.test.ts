import type { Answer, AnswerModel } from '../../../lambda/models/answer-model.js';
import { ModelGroup } from '../../../lambda/models/router/model-group.js';
import { routedAnswerModel } from '../../../lambda/models/router/routed-models.js';
import type { AnswerEvent } from '../../../lambda/openai/chat-types.js';
import { type Answered, type Ask, answer } from '../../../lambda/pipeline/answer.js';
import { InFlight } from '../../../lambda/pipeline/in-flight.js';
import type { SseEncoder } from '../../../lambda/pipeline/sse-body.js';
import { fakeAdmission } from '../../support/fake-admission.js';
import { failures, randoms, routerConfig, type StubModel, stubModel, usageOf } from '../../support/stub-models.js';

/** The one path of an answered request, with a stub model and a fake admission: what goes out, what is metered. */

const encoder = (): SseEncoder<AnswerEvent> => ({
  encode: (event) => (event.type === 'delta' ? `data: ${event.delta.content}\n\n` : `data: usage ${event.usage.total_tokens}\n\n`),
  end: () => 'data: [DONE]\n\n',
  fail: (error) => `data: error ${error.code}\n\n`,
});

const ask = (model: AnswerModel<string>, stream: boolean, extra: Partial<Ask<string>> = {}): Ask<string> => ({
  api: 'chat_completions',
  model,
  request: 'hi',
  stream,
  streamShowsUsage: true,
  body: (whole: Answer) => ({ text: whole.choices[0]!.message.content }),
  encoder,
  ...extra,
});

async function bodyText(answered: Answered): Promise<string> {
  if (!answered.stream) throw new Error('expected a stream');
  return new Response(answered.body).text();
}

describe('a whole answer', () => {
  it("goes out in the API's shape with the deployment's header, and is metered by that deployment", async () => {
    const meter = fakeAdmission();
    const answered = await answer(meter.scope(), ask(stubModel('qwen-a'), false));
    expect(answered).toEqual({ stream: false, body: { text: 'answer from qwen-a' }, headers: { 'x-sagegate-deployment': 'qwen-a' } });
    expect(meter.recorded).toEqual([{ api: 'chat_completions', model: 'qwen-a', servedBy: 'qwen-a', usage: usageOf(3, 4).usage, estimated: false }]);
  });

  it('says when its usage is estimated, and which fallback answered after how many attempts', async () => {
    const model = stubModel('m');
    model.complete = async () => ({
      choices: [{ index: 0, message: { role: 'assistant', content: 'x' }, finish_reason: 'stop' }],
      ...usageOf(3, 1, true),
      servedBy: 'small-a',
      fallback: 'small',
      attempts: 2,
    });
    const meter = fakeAdmission();
    const answered = await answer(meter.scope(), ask(model, false));
    expect(answered.headers).toEqual({
      'x-sagegate-deployment': 'small-a',
      'x-sagegate-usage': 'estimated',
      'x-sagegate-fallback': 'small',
      'x-sagegate-attempts': '2',
    });
    expect(meter.recorded).toEqual([expect.objectContaining({ model: 'm', servedBy: 'small-a', estimated: true })]);
  });

  it('counts as in flight until it is answered, then no longer', async () => {
    const inFlight = new InFlight();
    const model = stubModel('m');
    let during = -1;
    const complete = model.complete;
    model.complete = (request, signal) => {
      during = inFlight.size;
      return complete(request, signal);
    };
    await answer(fakeAdmission().scope({ inFlight }), ask(model, false));
    expect([during, inFlight.size]).toEqual([1, 0]);
  });

  it("fails with the model's status, meters nothing and is no longer in flight", async () => {
    const inFlight = new InFlight();
    const meter = fakeAdmission();
    await expect(answer(meter.scope({ inFlight }), ask(stubModel('m', [failures.throttled(3)]), false))).rejects.toMatchObject({
      status: 429,
      retryAfter: 3,
    });
    expect(meter.recorded).toEqual([]);
    expect(inFlight.size).toBe(0);
  });
});

describe('a streamed answer', () => {
  it('streams the events, is metered once with the final usage, and stays in flight until its last byte', async () => {
    const inFlight = new InFlight();
    const meter = fakeAdmission();
    const answered = await answer(meter.scope({ inFlight }), ask(stubModel('qwen-a'), true));
    expect(answered.headers).toEqual({ 'x-sagegate-deployment': 'qwen-a' });
    expect(inFlight.size).toBe(1);
    expect(await bodyText(answered)).toBe('data: answer from qwen-a\n\ndata: usage 7\n\ndata: [DONE]\n\n');
    expect(inFlight.size).toBe(0);
    expect(meter.recorded).toEqual([{ api: 'chat_completions', model: 'qwen-a', servedBy: 'qwen-a', usage: usageOf(3, 4).usage, estimated: false }]);
  });

  it('says before the first byte that its usage is estimated when the model does not report it and the stream shows usage', async () => {
    const model = stubModel('m', [], { reportsUsage: false });
    expect((await answer(fakeAdmission().scope(), ask(model, true))).headers).toMatchObject({ 'x-sagegate-usage': 'estimated' });
    expect((await answer(fakeAdmission().scope(), ask(model, true, { streamShowsUsage: false }))).headers).not.toHaveProperty('x-sagegate-usage');
  });

  it('fails with its own status when the upstream fails before the first event, metering nothing and leaving no request in flight', async () => {
    const inFlight = new InFlight();
    const meter = fakeAdmission();
    await expect(answer(meter.scope({ inFlight }), ask(stubModel('m', [failures.unavailable(1)]), true))).rejects.toMatchObject({
      status: 503,
      code: 'upstream_unavailable',
    });
    expect(inFlight.size).toBe(0);
    expect(meter.recorded).toEqual([]);
  });

  it('is cut upstream and metered with what was generated when the client leaves midway', async () => {
    const inFlight = new InFlight();
    const meter = fakeAdmission();
    const scope = meter.scope({ inFlight });
    const answered = await answer(scope, ask(stubModel('qwen-a', [], { holdStream: true }), true));
    if (!answered.stream) throw new Error('expected a stream');
    const reader = answered.body.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: answer from qwen-a\n\n');
    await reader.cancel();
    expect(scope.cancel.signal.aborted).toBe(true);
    expect(inFlight.size).toBe(0);
    expect(meter.recorded).toEqual([{ api: 'chat_completions', model: 'qwen-a', servedBy: 'qwen-a', usage: usageOf(3, 1).usage, estimated: true }]);
  });

  // Bug: whether a stream's usage is estimated is decided from the group asked for
  // (routedAnswerModel's reportsUsage), not from the deployment that served it. When a fallback
  // group whose containers report no usage answers, the stream's usage is an estimate but the
  // response does not say so.
  it.failing('says its usage is estimated when a fallback that does not report usage answered', async () => {
    const router = routerConfig({ fallbacks: { big: ['small'] } });
    const group = (name: string, model: StubModel) => new ModelGroup<AnswerModel<string>>(name, [{ id: model.name, model }], router, randoms(0));
    const groups = new Map([
      ['big', group('big', stubModel('big-a', [failures.server()]))],
      ['small', group('small', stubModel('small-a', [], { reportsUsage: false }))],
    ]);
    const answered = await answer(fakeAdmission().scope(), ask(routedAnswerModel('big', groups, router), true));
    expect(answered.headers).toMatchObject({ 'x-sagegate-fallback': 'small', 'x-sagegate-usage': 'estimated' });
  });
});
