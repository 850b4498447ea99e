import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import { environmentCredentials } from '../../local/emulators/sigv4-check.js';
import { StsEmulator } from '../../local/emulators/sts.js';
import { errorOf, type Harness, startHarness } from '../support/harness.js';

/**
 * Models in another account: the gateway assumes each model's role through STS (the real SDK client
 * against an emulator of STS's query protocol) and calls SageMaker with the role's credentials, which
 * the SageMaker emulator checks signature by signature, session token included.
 */
const ROLE = 'arn:aws:iam::210987654321:role/sagegate-invoke';
const UNTRUSTING_ROLE = 'arn:aws:iam::210987654321:role/not-for-you';

const CONFIG = `
models:
  - { name: remote, endpoint: remote-endpoint, role_arn: "${ROLE}", session_name: sagegate-test }
  - { name: remote-native, endpoint: remote-endpoint, route: openai, role_arn: "${ROLE}", session_name: sagegate-test }
  - { name: local, endpoint: local-endpoint }
  - { name: refused, endpoint: remote-endpoint, role_arn: "${UNTRUSTING_ROLE}" }
`;

describe('models in another account', () => {
  let h: Harness;
  let sts: StsEmulator;
  const ask = (model: string, extra: object = {}) =>
    h.client().chat.completions.create({ model, messages: [{ role: 'user', content: 'hola' }], ...extra }) as Promise<unknown>;
  const last = () => h.emulator.invocations.at(-1)!;

  beforeAll(async () => {
    const base = environmentCredentials()!;
    sts = new StsEmulator(base).addRole(ROLE, { trusts: [base.accessKeyId] }).addRole(UNTRUSTING_ROLE, { trusts: ['AKIDSOMEONEELSE'] });
    process.env.AWS_ENDPOINT_URL_STS = await sts.start();
    h = await startHarness(CONFIG, (e) => {
      e.addEndpoint('remote-endpoint', openAIChatContainer());
      e.addEndpoint('local-endpoint', openAIChatContainer());
      // SageMaker in the other account knows the role's credentials once STS has issued them.
      sts.onIssue = (credentials) => e.trust(credentials);
    });
  });
  afterAll(async () => {
    await h.close();
    await sts.stop();
    delete process.env.AWS_ENDPOINT_URL_STS;
  });

  it("calls the endpoint with the assumed role's credentials, session token signed", async () => {
    const answer = (await ask('remote')) as { choices: { message: { content: string } }[] };
    expect(answer.choices[0]!.message.content).toContain('hola');
    expect(sts.calls).toEqual([
      { roleArn: ROLE, sessionName: 'sagegate-test', durationSeconds: 3600, callerAccessKeyId: process.env.AWS_ACCESS_KEY_ID },
    ]);
    const role = sts.issued[0]!;
    expect(last()).toMatchObject({ endpoint: 'remote-endpoint', route: 'invocations', accessKeyId: role.accessKeyId });
    expect(last().headers['x-amz-security-token']).toBe(role.sessionToken);
  });

  it("mints the OpenAI-compatible route's bearer token from the role's credentials too", async () => {
    await ask('remote-native', { stream: true });
    const role = sts.issued[0]!;
    expect(last()).toMatchObject({ route: 'openai', auth: 'bearer_token', accessKeyId: role.accessKeyId });
    const token = String(last().headers.authorization).slice('Bearer sagemaker-api-key-'.length);
    const presigned = new URLSearchParams(Buffer.from(token, 'base64').toString().split('?')[1]);
    expect(presigned.get('X-Amz-Security-Token')).toBe(role.sessionToken);
  });

  it('assumes the role once for many calls (cached until shortly before expiry), and keeps local models on its own role', async () => {
    const before = sts.calls.length;
    for (let i = 0; i < 3; i++) {
      await ask('remote');
      await ask('remote-native');
    }
    expect(sts.calls.length).toBe(before);
    await ask('local');
    expect(last().accessKeyId).toBe(process.env.AWS_ACCESS_KEY_ID);
    expect(last().headers['x-amz-security-token']).toBeUndefined();
  });

  it('tells the client the gateway is misconfigured when the role does not trust it, without hanging', async () => {
    const error = await errorOf(ask('refused'));
    expect(error.status).toBe(502);
    expect(error.error).toMatchObject({ code: 'upstream_misconfigured' });
    expect(error.message).toContain('trust policy');
    expect(error.message).not.toContain('210987654321');
  });
});

describe('credentials about to expire', () => {
  async function withShortLivedRole(lifetimeSeconds: number, run: (h: Harness, sts: StsEmulator) => Promise<void>) {
    const base = environmentCredentials()!;
    const sts = new StsEmulator(base).addRole(ROLE);
    sts.lifetimeSeconds = lifetimeSeconds;
    process.env.AWS_ENDPOINT_URL_STS = await sts.start();
    const h = await startHarness(`models: [{ name: remote, endpoint: ep, role_arn: "${ROLE}", region: eu-central-1, route: openai }]`, (e) => {
      e.addEndpoint('ep', openAIChatContainer());
      sts.onIssue = (credentials) => e.trust(credentials);
    });
    try {
      await run(h, sts);
    } finally {
      await h.close();
      await sts.stop();
      delete process.env.AWS_ENDPOINT_URL_STS;
    }
  }
  const ask = (h: Harness) => h.client().chat.completions.create({ model: 'remote', messages: [{ role: 'user', content: 'hi' }] });

  it('that arrive inside the refresh window are assumed once per refresh, not once or more per request', async () => {
    // Four minutes: inside the SDK's five-minute refresh window from the start.
    await withShortLivedRole(240, async (h, sts) => {
      for (let i = 0; i < 4; i++) await ask(h);
      expect(sts.calls).toHaveLength(1);
      expect(new Set(h.emulator.invocations.map((i) => i.accessKeyId))).toEqual(new Set([sts.issued[0]!.accessKeyId]));
    });
  });

  it('are assumed again before they lapse, never used past their expiry', async () => {
    await withShortLivedRole(3, async (h, sts) => {
      await ask(h);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await ask(h);
      expect(sts.calls).toHaveLength(2);
      const [first, second] = h.emulator.invocations.map((i) => i.accessKeyId);
      expect([first, second]).toEqual(sts.issued.map((c) => c.accessKeyId));
    });
  });

  it('last as long as the config asks (role_duration_seconds), an hour by default', async () => {
    const base = environmentCredentials()!;
    const sts = new StsEmulator(base).addRole(ROLE);
    process.env.AWS_ENDPOINT_URL_STS = await sts.start();
    const h = await startHarness(
      `models: [{ name: remote, endpoint: ep, role_arn: "${ROLE}", region: eu-central-1 }, { name: long, endpoint: ep, role_arn: "${ROLE}", role_duration_seconds: 7200, session_name: long-session }]`,
      (e) => {
        e.addEndpoint('ep', openAIChatContainer());
        sts.onIssue = (credentials) => e.trust(credentials);
      },
    );
    try {
      await ask(h);
      await h.client().chat.completions.create({ model: 'long', messages: [{ role: 'user', content: 'hi' }] });
      expect(sts.calls.map((c) => c.durationSeconds)).toEqual([3600, 7200]);
    } finally {
      await h.close();
      await sts.stop();
      delete process.env.AWS_ENDPOINT_URL_STS;
    }
  });
});
