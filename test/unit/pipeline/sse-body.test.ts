import '../../support/loud-logs.js';
import { jest } from '@jest/globals';
import { GatewayError } from '../../../lambda/core/gateway-error.js';
import { type SseEncoder, sseBody } from '../../../lambda/pipeline/sse-body.js';

/** The SSE body's pings and early ends, on a hand-driven upstream. */

const encoder: SseEncoder<string> = {
  encode: (event) => `data: ${event}\n\n`,
  end: () => 'data: [DONE]\n\n',
  fail: (error) => `data: ${JSON.stringify(error.toJSON())}\n\ndata: [DONE]\n\n`,
};

/** An upstream whose events the test releases one by one. */
function upstream() {
  const waiting: ((result: IteratorResult<string>) => void)[] = [];
  const ready: IteratorResult<string>[] = [];
  let returned = false;
  const iterator: AsyncIterator<string> = {
    next: () => (ready.length ? Promise.resolve(ready.shift()!) : new Promise((resolve) => waiting.push(resolve))),
    return: async () => {
      returned = true;
      return { done: true, value: undefined };
    },
  };
  const push = (result: IteratorResult<string>) => (waiting.length ? waiting.shift()!(result) : ready.push(result));
  return {
    iterator,
    send: (event: string) => push({ done: false, value: event }),
    end: () => push({ done: true, value: undefined }),
    returned: () => returned,
  };
}

const text = (chunk: Uint8Array | undefined) => new TextDecoder().decode(chunk);

describe('SSE pings', () => {
  it('go out while the upstream is silent, between events, and stop with the stream', async () => {
    const up = upstream();
    const body = sseBody(up.iterator, encoder, { requestId: 'r', onCancel: () => undefined, keepaliveMs: 30 });
    const reader = body.getReader();
    up.send('first');
    expect(text((await reader.read()).value)).toBe('data: first\n\n');
    // Silence: pings, each answering one read.
    expect(text((await reader.read()).value)).toBe(': ping\n\n');
    expect(text((await reader.read()).value)).toBe(': ping\n\n');
    up.send('second');
    expect(text((await reader.read()).value)).toBe('data: second\n\n');
    up.end();
    expect(text((await reader.read()).value)).toBe('data: [DONE]\n\n');
    expect((await reader.read()).done).toBe(true);
  });

  it('arm no timer for the first event, which is in hand when the body is made', async () => {
    const spy = jest.spyOn(global, 'setTimeout');
    const up = upstream();
    up.send('first');
    const body = sseBody(up.iterator, encoder, { requestId: 'r', onCancel: () => undefined, keepaliveMs: 30 });
    const reader = body.getReader();
    expect(text((await reader.read()).value)).toBe('data: first\n\n');
    const armed = spy.mock.calls.filter(([, ms]) => ms === 30).length;
    spy.mockRestore();
    expect(armed).toBe(0);
    await reader.cancel();
  });

  it('stop when the client cancels during a silence: no ping into a cancelled stream, nothing left to keep the process up', async () => {
    // The timers the stream makes (other tests' and the runner's own come and go meanwhile).
    const made: NodeJS.Timeout[] = [];
    const setTimer = global.setTimeout;
    const spy = jest.spyOn(global, 'setTimeout').mockImplementation(((...args: Parameters<typeof setTimeout>) => {
      const timer = setTimer(...args);
      made.push(timer);
      return timer;
    }) as typeof setTimeout);
    const up = upstream();
    let cancelled = false;
    let ended = 0;
    const failures: unknown[] = [];
    const onUncaught = (error: unknown) => failures.push(error);
    process.on('uncaughtException', onUncaught);
    const body = sseBody(up.iterator, encoder, {
      requestId: 'r',
      onCancel: () => (cancelled = true),
      keepaliveMs: 5,
      onEnd: () => ended++,
    });
    const reader = body.getReader();
    up.send('first');
    await reader.read();
    const pending = reader.read(); // waits: the ping timer runs
    expect(text((await pending).value)).toBe(': ping\n\n');
    spy.mockRestore();
    expect(made.length).toBeGreaterThan(0);
    await reader.cancel();
    await new Promise((r) => setTimeout(r, 50)); // ten intervals after the cancel
    process.off('uncaughtException', onUncaught);
    expect(failures).toEqual([]);
    // Each of its timers cleared, and none holding the process meanwhile.
    for (const timer of made) {
      expect((timer as unknown as { _destroyed: boolean })._destroyed).toBe(true);
      expect(timer.hasRef()).toBe(false);
    }
    expect(cancelled).toBe(true);
    expect(up.returned()).toBe(true);
    expect(ended).toBe(1);
  });

  it('wait for the client to read: a client that reads nothing gets no pile of pings (backpressure holds)', async () => {
    const up = upstream();
    const reader = sseBody(up.iterator, encoder, { requestId: 'r', onCancel: () => undefined, keepaliveMs: 5 }).getReader();
    up.send('first');
    await reader.read();
    await new Promise((r) => setTimeout(r, 200)); // forty intervals, nothing read
    up.send('second');
    expect(text((await reader.read()).value)).toBe(': ping\n\n');
    expect(text((await reader.read()).value)).toBe('data: second\n\n');
  });

  it('are not sent when switched off', async () => {
    const up = upstream();
    const reader = sseBody(up.iterator, encoder, { requestId: 'r', onCancel: () => undefined, keepaliveMs: 0 }).getReader();
    up.send('a');
    await reader.read();
    const next = reader.read();
    await new Promise((r) => setTimeout(r, 50));
    up.send('b');
    expect(text((await next).value)).toBe('data: b\n\n');
  });
});

describe('a stream cut by its signal', () => {
  it('ends at once with an error event carrying the reason, however long the upstream stays silent', async () => {
    const up = upstream();
    const controller = new AbortController();
    let ended = 0;
    const reader = sseBody(up.iterator, encoder, {
      requestId: 'r',
      onCancel: () => undefined,
      signal: controller.signal,
      keepaliveMs: 60_000,
      onEnd: () => ended++,
    }).getReader();
    up.send('first');
    await reader.read();
    const next = reader.read();
    controller.abort(new GatewayError(503, 'The server is shutting down.', { code: 'server_shutting_down' }));
    const tail = text((await next).value);
    expect(tail).toContain('"code":"server_shutting_down"');
    expect(tail.endsWith('data: [DONE]\n\n')).toBe(true);
    expect((await reader.read()).done).toBe(true);
    expect(up.returned()).toBe(true);
    expect(ended).toBe(1);
  });
});
