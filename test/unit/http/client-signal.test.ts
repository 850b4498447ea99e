import { type ClientGone, clientSignal } from '../../../lambda/http/client-signal.js';

const request = (signal?: AbortSignal) => new Request('http://gateway/v1/chat/completions', { method: 'POST', body: '{}', signal });

describe('clientSignal', () => {
  it("is aborted when the runtime adapter says the client has gone, without the request's signal", () => {
    let tell: (() => void) | undefined;
    const gone: ClientGone = (onGone) => {
      tell = onGone;
    };
    const client = new AbortController();
    const cancel = clientSignal(request(client.signal), gone);
    expect(cancel.signal.aborted).toBe(false);
    tell!();
    expect(cancel.signal.aborted).toBe(true);
  });

  it("follows the request's signal where the adapter says nothing (Lambda, app.fetch)", () => {
    const client = new AbortController();
    const cancel = clientSignal(request(client.signal));
    expect(cancel.signal.aborted).toBe(false);
    client.abort(new Error('gone'));
    expect(cancel.signal.aborted).toBe(true);
    expect((cancel.signal.reason as Error).message).toBe('gone');
  });

  it('starts aborted when the client had already gone', () => {
    const client = new AbortController();
    client.abort();
    expect(clientSignal(request(client.signal)).signal.aborted).toBe(true);
  });
});
