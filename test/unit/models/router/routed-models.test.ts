import { jest } from '@jest/globals';
import type { RouterConfig } from '../../../../lambda/config/config.js';
import type { AnswerModel } from '../../../../lambda/models/answer-model.js';
import type { EmbeddingModel } from '../../../../lambda/models/embedding-model.js';
import { ModelGroup } from '../../../../lambda/models/router/model-group.js';
import { routedAnswerModel, routedEmbeddingModel } from '../../../../lambda/models/router/routed-models.js';
import type { EmbeddingsRequest } from '../../../../lambda/openai/embeddings-request.js';
import { failures, randoms, routerConfig, type StubModel, stubModel } from '../../../support/stub-models.js';

/** A model group as one model: what its answers and streams say, and how long a stream holds its deployment. */

function routed(groups: Record<string, StubModel[]>, router: Partial<RouterConfig> = {}) {
  const config = routerConfig(router);
  const map = new Map<string, ModelGroup<AnswerModel<string>>>();
  for (const [name, models] of Object.entries(groups)) {
    map.set(
      name,
      new ModelGroup(
        name,
        models.map((model) => ({ id: model.name, model })),
        config,
        randoms(0),
      ),
    );
  }
  return { model: (name: string) => routedAnswerModel(name, map, config), group: (name: string) => map.get(name)! };
}

const live = () => new AbortController().signal;

async function drain(events: AsyncIterableIterator<unknown>) {
  for await (const _ of events);
}

describe('a routed answer', () => {
  it('says which deployment served it, after how many attempts, and which fallback answered', async () => {
    const { model } = routed({ big: [stubModel('big-1', [failures.server()])], small: [stubModel('small-1')] }, { fallbacks: { big: ['small'] } });
    const answer = await model('big').complete('hi', live());
    expect(answer).toMatchObject({ servedBy: 'small-1', attempts: 2, fallback: 'small', usage: { prompt_tokens: 3, completion_tokens: 4 } });
    expect(answer.choices[0]!.message.content).toBe('answer from small-1');
  });

  it('says so for a stream too', async () => {
    const { model } = routed({ m: [stubModel('a', [failures.throttled()]), stubModel('b')] });
    const stream = await model('m').stream('hi', live());
    expect(stream).toMatchObject({ servedBy: 'b', attempts: 2 });
    expect(stream).not.toHaveProperty('fallback');
    const events = [];
    for await (const event of stream.events) events.push(event);
    expect(events).toEqual([
      { type: 'delta', index: 0, delta: { content: 'answer from b' } },
      { type: 'usage', usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 }, estimated: false },
    ]);
  });

  it('reports its usage only when every deployment of the group does (else the answer says it is estimated)', () => {
    const { model } = routed({ counted: [stubModel('a'), stubModel('b')], mixed: [stubModel('c'), stubModel('d', [], { reportsUsage: false })] });
    expect(model('counted').reportsUsage).toBe(true);
    expect(model('mixed').reportsUsage).toBe(false);
  });
});

describe('a routed stream', () => {
  it('keeps its deployment busy until its last event, so least-busy sends the next request elsewhere', async () => {
    const { model, group } = routed({ m: [stubModel('a'), stubModel('b')] }, { strategy: 'least-busy' });
    const first = await model('m').stream('hi', live());
    expect(
      group('m')
        .status()
        .map((s) => s.in_flight),
    ).toEqual([1, 0]);
    const second = await model('m').stream('hi', live());
    expect([first.servedBy, second.servedBy]).toEqual(['a', 'b']);
    await drain(first.events);
    await drain(second.events);
    expect(
      group('m')
        .status()
        .map((s) => s.in_flight),
    ).toEqual([0, 0]);
  });

  it('frees its deployment when the client stops reading', async () => {
    const { model, group } = routed({ m: [stubModel('a')] });
    const stream = await model('m').stream('hi', live());
    await stream.events.next();
    await stream.events.return!();
    expect(group('m').status()[0]).toMatchObject({ in_flight: 0 });
  });

  describe('with fake timers', () => {
    beforeEach(() => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
    });
    afterEach(() => {
      jest.useRealTimers();
    });

    it('is cut at the timeout with a 504 when it runs longer than the timeout, though its first token came in time', async () => {
      const { model, group } = routed({ m: [stubModel('a', [], { holdStream: true })] }, { timeoutMs: 1000 });
      const stream = await model('m').stream('hi', live());
      expect(await stream.events.next()).toMatchObject({ value: { delta: { content: 'answer from a' } } });
      const next = stream.events.next().catch((error: unknown) => error);
      await jest.advanceTimersByTimeAsync(1000);
      expect(await next).toMatchObject({ status: 504, code: 'upstream_timeout' });
      expect(group('m').status()[0]).toMatchObject({ in_flight: 0 });
    });
  });
});

describe('a routed embedding model', () => {
  it('sends the batch to one deployment, retried and failed over as a whole, and says which served it', async () => {
    const config = routerConfig({ fallbacks: { e: ['e2'] } });
    const embedder = (id: string, fail = false): EmbeddingModel => ({
      name: id,
      embed: async () => {
        if (fail) throw failures.server();
        return { vectors: [[1], [2]], promptTokens: 2, estimated: false, servedBy: id };
      },
    });
    const groups = new Map([
      ['e', new ModelGroup('e', [{ id: 'e-1', model: embedder('e-1', true) }], config, randoms(0))],
      ['e2', new ModelGroup('e2', [{ id: 'e2-1', model: embedder('e2-1') }], config, randoms(0))],
    ]);
    const embeddings = await routedEmbeddingModel('e', groups, config).embed({ model: 'e', input: ['x', 'y'] } as EmbeddingsRequest, live());
    expect(embeddings).toMatchObject({ vectors: [[1], [2]], servedBy: 'e2-1', fallback: 'e2', attempts: 2 });
  });
});
