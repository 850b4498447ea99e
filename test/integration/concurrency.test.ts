import { Agent, request } from 'node:http';
import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import type { Container } from '../../local/emulators/sagemaker-runtime.js';
import { type Harness, startHarness } from '../support/harness.js';

/**
 * The local server under many slow streams at once (issue 15: with the SDK's default pool of 50
 * sockets, stream 51 and any one-line request queued behind the first 50). 300 streams are held open
 * against the emulator through the gateway; a one-line request and new streams must still get their
 * first byte, within a bounded wait, not after the held streams end.
 */
const STREAMS = 300;
const chunk = (text: string) => `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: text } }] })}\n\n`;
/** The first token at once, then nothing until the caller hangs up (the emulator ends waits on hang-up). */
const heldStream: Container = () => ({ stream: [chunk('first '), { delayMs: 120_000 }, chunk('never')] });

let h: Harness;
const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

beforeAll(async () => {
  h = await startHarness('models: [{name: held, endpoint: held}, {name: quick, endpoint: quick}]', (e) => {
    e.addEndpoint('held', heldStream);
    e.addEndpoint('quick', openAIChatContainer());
  });
});
afterAll(async () => {
  agent.destroy();
  await h.close();
});

/** A streamed chat over its own connection: resolves with the time to its first body byte; `close()` hangs up. */
function openStream(model: string): { firstByte: Promise<number>; close: () => void } {
  const started = performance.now();
  const body = JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'hi' }] });
  const req = request(`${h.gateway.url}/v1/chat/completions`, {
    method: 'POST',
    agent,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  const firstByte = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
      res.once('data', () => resolve(performance.now() - started));
      res.on('error', () => undefined);
    });
    req.on('error', reject);
  });
  firstByte.catch(() => undefined);
  req.end(body);
  return { firstByte, close: () => req.destroy() };
}

const withinMs = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms).unref())]);

it(`serves a one-line request and new streams promptly while ${STREAMS} streams are held open`, async () => {
  const held = Array.from({ length: STREAMS }, () => openStream('held'));
  try {
    const ttfb = await withinMs(Promise.all(held.map((s) => s.firstByte)), 30_000, `the first byte of ${STREAMS} streams`);
    expect(ttfb).toHaveLength(STREAMS);
    expect(h.emulator.invocations.filter((i) => i.endpoint === 'held')).toHaveLength(STREAMS);

    // With every held stream still open upstream: a one-line request, and more streams.
    const answer = await withinMs(
      h.client().chat.completions.create({ model: 'quick', messages: [{ role: 'user', content: 'one line' }] }),
      5000,
      'a one-line request',
    );
    expect(answer.choices[0]!.message.content).toContain('one line');
    const more = Array.from({ length: 10 }, () => openStream('held'));
    try {
      await withinMs(Promise.all(more.map((s) => s.firstByte)), 5000, 'the first byte of 10 more streams');
    } finally {
      for (const s of more) s.close();
    }
  } finally {
    for (const s of held) s.close();
  }
  // Every held stream's upstream call is cut when its client leaves.
  const cutBy = Date.now() + 10_000;
  while (h.emulator.cancelledStreams < STREAMS + 10 && Date.now() < cutBy) await new Promise((r) => setTimeout(r, 50));
  expect(h.emulator.cancelledStreams).toBe(STREAMS + 10);
}, 60_000);
