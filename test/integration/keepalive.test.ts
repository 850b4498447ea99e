import type { Container } from '../../local/emulators/sagemaker-runtime.js';
import { type Harness, sseEvents, startHarness } from '../support/harness.js';

/** SSE pings while a started stream's upstream is silent (a reasoning model thinking), through both SageMaker routes. */
const CONFIG = `
models:
  - { name: thinker, endpoint: thinker-endpoint }
  - { name: thinker-native, endpoint: thinker-endpoint, route: openai }
  - { name: slow-starter, endpoint: slow-start-endpoint }
gateway: { keepalive_seconds: 1 }
`;

const chunk = (content: string) =>
  `data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":null}]}\n\n`;

/** First a token, then 2.5 s of silence, then the answer. */
const thinker: Container = () => ({
  stream: [chunk('Let me think.'), { delayMs: 2500 }, chunk(' The answer is 42.'), 'data: [DONE]\n\n'],
});
/** Silent for 1.5 s before its first byte. */
const slowStarter: Container = () => ({ stream: [{ delayMs: 1500 }, chunk('Hello'), 'data: [DONE]\n\n'] });

describe('keep-alive pings', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(CONFIG, (e) => {
      e.addEndpoint('thinker-endpoint', thinker);
      e.addEndpoint('slow-start-endpoint', slowStarter);
    });
  });
  afterAll(() => h.close());

  it.each(['thinker', 'thinker-native'])(
    'arrive during a silence after the first event (%s), and the official client still reads the stream',
    async (model) => {
      const response = await h.post('/v1/chat/completions', { model, stream: true, messages: [{ role: 'user', content: 'think' }] });
      const text = await response.text();
      const firstData = text.indexOf('data: ');
      const ping = text.indexOf(': ping\n\n');
      expect(ping).toBeGreaterThan(firstData);
      expect(ping).toBeLessThan(text.indexOf('The answer is 42.'));
      expect(sseEvents(text).at(-1)).toBe('[DONE]');

      const stream = await h.client().chat.completions.create({ model, stream: true, messages: [{ role: 'user', content: 'think' }] });
      let answer = '';
      for await (const c of stream) answer += c.choices[0]?.delta.content ?? '';
      expect(answer).toBe('Let me think. The answer is 42.');
    },
  );

  it('never come before the status is known: the first upstream event decides it', async () => {
    const response = await h.post('/v1/chat/completions', { model: 'slow-starter', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text.startsWith('data: ')).toBe(true);
    expect(text).not.toContain(': ping');
  });
});
