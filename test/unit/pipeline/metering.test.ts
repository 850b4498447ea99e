import { meteredByStream, meteredStream, meterWhole } from '../../../lambda/pipeline/metering.js';
import { fakeAdmission, settled } from '../../support/fake-admission.js';
import { failures, scriptedStream, usageOf } from '../../support/stub-models.js';

/** What a request costs the caller: metered once, with what was generated, however the answer ended. */

const answered = { model: 'qwen', servedBy: 'qwen-a', ...usageOf(10, 5) };

describe('a whole answer', () => {
  it('is metered after it has gone out: the write is handed to waitUntil, not waited for', async () => {
    const meter = fakeAdmission();
    await meterWhole(meter.scope(), answered);
    expect(meter.recorded).toEqual([answered]);
    expect(meter.waited).toHaveLength(1);
  });

  it('near a budget limit, is metered before it goes out', async () => {
    const meter = fakeAdmission({ urgent: true });
    const metering = meterWhole(meter.scope(), answered);
    expect(await settled(metering)).toBe(false);
    meter.land();
    expect(await settled(metering)).toBe(true);
    expect(meter.recorded).toEqual([answered]);
  });

  it('is not metered without an admission', async () => {
    const meter = fakeAdmission();
    await meterWhole({ ...meter.scope(), admission: undefined }, answered);
    expect(meter.recorded).toEqual([]);
  });
});

describe('a stream', () => {
  const streamOf = (texts: string[], options: Parameters<typeof scriptedStream>[3] = {}) => ({
    ...scriptedStream(texts, usageOf(10, 7), undefined, options),
    servedBy: 'qwen-a',
  });

  it('is metered once, with its final usage, by the deployment that served it', async () => {
    const meter = fakeAdmission();
    const events = meteredStream(meter.scope(), { model: 'qwen' }, streamOf(['a', 'b']));
    for await (const _ of events);
    await events.return!();
    expect(meter.recorded).toEqual([{ model: 'qwen', servedBy: 'qwen-a', usage: usageOf(10, 7).usage, estimated: false }]);
    expect(meter.waited).toHaveLength(1);
  });

  it('is metered with the usage so far when the client leaves midway, and stops the upstream', async () => {
    const meter = fakeAdmission();
    const stream = streamOf(['a', 'b', 'c']);
    const events = meteredStream(meter.scope(), { model: 'qwen' }, stream);
    await events.next();
    await events.next();
    await events.return!();
    expect(meter.recorded).toEqual([{ model: 'qwen', servedBy: 'qwen-a', usage: usageOf(10, 2).usage, estimated: true }]);
    expect(stream.returned()).toBe(true);
  });

  it('is metered with the usage so far when it fails midway, and the failure goes on to the client', async () => {
    const meter = fakeAdmission();
    const events = meteredStream(meter.scope(), { model: 'qwen' }, streamOf(['a', 'b'], { failAfter: 1, error: failures.server() }));
    await events.next();
    await expect(events.next()).rejects.toMatchObject({ status: 502 });
    expect(meter.recorded).toEqual([expect.objectContaining({ usage: usageOf(10, 1).usage, estimated: true })]);
  });

  it('near a budget limit, holds its end until the cost is written', async () => {
    const meter = fakeAdmission({ urgent: true });
    const events = meteredStream(meter.scope(), { model: 'qwen' }, streamOf(['a']));
    await events.next();
    const usage = events.next();
    expect(await settled(usage)).toBe(false);
    meter.land();
    expect(await usage).toMatchObject({ value: { type: 'usage' } });
    expect(meter.recorded).toHaveLength(1);
  });

  it("is known to be metered by the stream, so the request's end does not free its admission", () => {
    const streamed = fakeAdmission();
    meteredStream(streamed.scope(), { model: 'qwen' }, streamOf(['a']));
    expect(meteredByStream(streamed.admission)).toBe(true);
    expect(meteredByStream(fakeAdmission().admission)).toBe(false);
  });

  it('passes through unmetered without an admission', async () => {
    const stream = streamOf(['a']);
    expect(meteredStream({ ...fakeAdmission().scope(), admission: undefined }, { model: 'qwen' }, stream)).toBe(stream.events);
  });
});
