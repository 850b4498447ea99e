import '../support/loud-logs.js';
import OpenAI from 'openai';
import { main as cli } from '../../cli/sagegate.js';
import { usageReport } from '../../cli/usage/usage-report.js';
import { parseConfig } from '../../config/load.js';
import { DynamoUsageStore } from '../../lambda/usage/dynamodb-store.js';
import { provideConsoleAssets } from '../../lib/console-build.js';
import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import { SecretsManagerEmulator } from '../../local/emulators/secrets-manager.js';
import { type LocalGateway, serveGateway } from '../../local/serve.js';
import { buildHandlerBundle } from '../support/build-handler-bundle.js';
import { type ConsoleSession, consoleCall, signIn } from '../support/console-client.js';
import { type DynamoDbDouble, startDynamoDb } from '../support/dynamodb-double.js';
import { type Harness, startHarness } from '../support/harness.js';
import { startLambda } from '../support/lambda-runtime-client.js';

/**
 * The console over the real app: the gateway's own Node server, its usage table on a DynamoDB-protocol
 * server (dynalite), its key store on a Secrets Manager that speaks the real protocol, the official
 * `openai` client for API calls. Two gateways on one table and one key store stand for two Lambda
 * containers: sessions and sign-in counts are shared, as on Lambda.
 */
const TABLE = 'sagegate-console-test';
const STACK_MASTER = 'generatedByTheStackAtDeploy0123456789abcdef';
const PRICES = '{ input_per_token: 0.000001, output_per_token: 0.000002 }';
const secrets = new SecretsManagerEmulator();
let db: DynamoDbDouble;
let h: Harness;
let readOnly: LocalGateway;
let keysArn: string;
const store = new DynamoUsageStore(TABLE);
/** Every log line the gateways write, kept (and kept off the test output) to check what they say and never say. */
const logLines: string[] = [];
const writes = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
const keep = (chunk: unknown) => {
  logLines.push(String(chunk));
  return true;
};
/** Every key the tests saw, which no log line may hold. */
const secretsSeen: string[] = [STACK_MASTER];
const settle = () => new Promise((r) => setTimeout(r, 1100)); // the key cache TTL is 1 s

const configFor = (ui: string) => `
models:
  - { name: chat, endpoint: chat-ep, prices: ${PRICES} }
  - { name: other, endpoint: chat-ep }
usage: { table: ${TABLE} }
auth: { keys_secret: "${keysArn}", cache_ttl_seconds: 1 }
ui: ${ui}
`;

beforeAll(async () => {
  process.stdout.write = keep as typeof process.stdout.write;
  process.stderr.write = keep as typeof process.stderr.write;
  db = await startDynamoDb();
  process.env.AWS_ENDPOINT_URL_DYNAMODB = db.url;
  await db.createTable(TABLE);
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = await secrets.start();
  keysArn = secrets.put('SageGateApiKeys', JSON.stringify({ version: 1, master_key: STACK_MASTER }));
  // One session key for both gateways, as the stack gives every container the same.
  process.env.SAGEGATE_CONSOLE_SECRET = secrets.put('SageGateConsoleSessionKey', 'k'.repeat(64));
  await provideConsoleAssets();
  h = await startHarness(configFor('{ enabled: true, manage_keys: true, max_sign_in_attempts: 30 }'), (e) =>
    e.addEndpoint('chat-ep', openAIChatContainer()),
  );
  readOnly = await serveGateway(parseConfig(configFor('{ enabled: true, max_sign_in_attempts: 30 }')), { port: 0 });
});
afterAll(async () => {
  process.stdout.write = writes.out;
  process.stderr.write = writes.err;
  delete process.env.SAGEGATE_CONSOLE_SECRET;
  await readOnly.close();
  await h.close();
  await secrets.stop();
  await db.stop();
});

const base = () => h.gateway.url;
const chat = (key: string, model = 'chat') =>
  new OpenAI({ baseURL: `${base()}/v1`, apiKey: key, maxRetries: 0 }).chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
const statusOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 200,
    (e: { status?: number }) => e.status ?? 0,
  );
let master: ConsoleSession;

it('serves the page and its hashed assets with a strict CSP, no framing, and no inline script', async () => {
  const page = await fetch(`${base()}/ui`);
  expect(page.status).toBe(200);
  const html = await page.text();
  const csp = page.headers.get('content-security-policy')!;
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain('unsafe-inline');
  expect(page.headers.get('x-frame-options')).toBe('DENY');
  expect(page.headers.get('referrer-policy')).toBe('no-referrer');
  expect(page.headers.get('cache-control')).toBe('no-store');
  expect(html).not.toMatch(/<script>|<style>|style="/);
  const script = /src="(\/ui\/assets\/app-[A-Z0-9]+\.js)"/.exec(html)![1]!;
  const asset = await fetch(`${base()}${script}`);
  expect(asset.headers.get('content-type')).toContain('text/javascript');
  expect(asset.headers.get('cache-control')).toContain('immutable');
  expect((await asset.text()).length).toBeGreaterThan(10_000);
  expect((await fetch(`${base()}/ui/assets/app-NOPE.js`)).status).toBe(404);
  expect((await fetch(`${base()}/ui/assets/__proto__`)).status).toBe(404);
});

it('signs in with the master key only (a wrong key, or an ordinary key, is refused), with a session cookie a script cannot read', async () => {
  expect((await signIn(base(), 'sk-wrong')).status).toBe(401);
  const refused = await signIn(base(), 'sk-wrong');
  expect(refused.response.headers.getSetCookie()).toEqual([]);
  const signed = await signIn(base(), STACK_MASTER);
  expect(signed.status).toBe(200);
  const cookie = signed.response.headers.getSetCookie()[0]!;
  expect(cookie).toMatch(/^__Host-sid=[\w-]{43}\.[\w-]{43}; Path=\/; Secure; HttpOnly; SameSite=Strict$/);
  expect(signed.response.headers.get('cache-control')).toBe('no-store');
  master = signed.session!;
  expect((await consoleCall(base(), master, 'GET', '/session')).body).toMatchObject({ principal: 'master', manage_keys: true });
  expect((await consoleCall(base(), undefined, 'GET', '/overview')).status).toBe(401);
});

it('creates a key the openai client can use at once, shown once; revoked in the console, it stops working', async () => {
  const created = await consoleCall(base(), master, 'POST', '/keys', { name: 'team-a', models: ['chat'], rpm: 100 });
  expect(created.status).toBe(201);
  expect(created.body.key).toMatch(/^sk-sg-[A-Za-z0-9]{40}$/);
  secretsSeen.push(created.body.key);
  const listed = await consoleCall(base(), master, 'GET', '/keys');
  expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
  expect(JSON.stringify(listed.body)).not.toMatch(/[0-9a-f]{64}/);
  expect(listed.body.keys.find((k: { id: string }) => k.id === created.body.record.id)).toMatchObject({ name: 'team-a', status: 'active', rpm: 100 });
  expect(await statusOf(chat(created.body.key))).toBe(200);
  // An ordinary key opens no console session.
  expect((await signIn(base(), created.body.key)).status).toBe(401);
  const revoked = await consoleCall(base(), master, 'POST', `/keys/${created.body.record.id}/revoke`, {});
  expect(revoked.status).toBe(200);
  await settle();
  expect(await chat(created.body.key).catch((e) => e)).toMatchObject({ status: 401, message: expect.stringContaining('revoked') });
});

it('shows the usage the openai client made, by day and by hour, with the figures `npx sagegate usage --json` gives, at one write per request', async () => {
  const key = (await consoleCall(base(), master, 'POST', '/keys', { name: 'counted' })).body;
  await settle();
  const before = db.calls.get('UpdateItem') ?? 0;
  for (let i = 0; i < 3; i++) await chat(key.key);
  await chat(key.key, 'other');
  await h.gateway.settled();
  expect((db.calls.get('UpdateItem') ?? 0) - before).toBe(4);
  const report = await usageReport(store, { since: '30d', key: key.record.id });
  expect(report.totals.requests).toBe(4);
  const byDay = (await consoleCall(base(), master, 'GET', `/usage?range=30d&group=model&key=${key.record.id}`)).body;
  const byHour = (await consoleCall(base(), master, 'GET', `/usage?range=48h&group=model&key=${key.record.id}`)).body;
  for (const series of [byDay, byHour]) {
    expect(series.totals).toMatchObject({
      requests: report.totals.requests,
      prompt_tokens: report.totals.prompt_tokens,
      completion_tokens: report.totals.completion_tokens,
    });
    expect(series.totals.cost).toBeCloseTo(report.totals.cost_usd!, 10);
    expect(series.series.map((s: { name: string }) => s.name).sort()).toEqual(['chat', 'other']);
  }
  expect(byHour.buckets).toHaveLength(48);
  expect(byHour.series[0].figures.at(-1).requests + (byHour.series[1]?.figures.at(-1).requests ?? 0)).toBe(4);
  const csv = await consoleCall(base(), master, 'GET', `/usage.csv?range=48h&group=model&key=${key.record.id}`);
  expect(csv.response.headers.get('content-type')).toContain('text/csv');
  expect(csv.body).toMatch(/^hour_utc,model,requests,prompt_tokens,completion_tokens,cost_usd\r\n/);
  const keys = (await consoleCall(base(), master, 'GET', '/keys')).body.keys;
  expect(keys.find((k: { id: string }) => k.id === key.record.id).last_used).toMatch(/^\d{4}-\d\d-\d\dT\d\d$/);
  const overview = (await consoleCall(base(), master, 'GET', '/overview')).body;
  expect(overview.today.requests).toBeGreaterThanOrEqual(4);
  expect(overview.busiest_models.map((m: { name: string }) => m.name)).toContain('chat');
});

it('refuses writes without the session token, from another origin, and as a cross-site form post', async () => {
  const body = { name: 'forged' };
  expect((await consoleCall(base(), { ...master, csrf: 'wrong' }, 'POST', '/keys', body)).status).toBe(403);
  expect((await consoleCall(base(), master, 'POST', '/keys', body, { origin: 'https://evil.example' })).status).toBe(403);
  const form = await fetch(`${base()}/ui/api/keys`, {
    method: 'POST',
    headers: {
      cookie: master.cookie,
      'content-type': 'application/x-www-form-urlencoded',
      origin: 'https://evil.example',
      'sec-fetch-site': 'cross-site',
    },
    body: 'name=forged',
  });
  expect(form.status).toBe(403);
  const names = (await consoleCall(base(), master, 'GET', '/keys')).body.keys.map((k: { name: string }) => k.name);
  expect(names).not.toContain('forged');
});

it('keeps a key name that is markup as plain text data', async () => {
  const name = '<img src=x onerror=alert(1)>';
  const created = await consoleCall(base(), master, 'POST', '/keys', { name });
  expect(created.status).toBe(201);
  expect(created.response.headers.get('content-type')).toContain('application/json');
  const listed = (await consoleCall(base(), master, 'GET', '/keys')).body.keys.find((k: { id: string }) => k.id === created.body.record.id);
  expect(listed.name).toBe(name);
});

it('loses no edit when the console and the CLI write the key store at once', async () => {
  const quiet = { out: () => undefined, err: () => undefined };
  const [fromConsole, ...codes] = await Promise.all([
    consoleCall(base(), master, 'POST', '/keys', { name: 'from-console' }),
    cli(['keys', 'create', '--name', 'from-cli-1', '--secret', keysArn], quiet),
    cli(['keys', 'create', '--name', 'from-cli-2', '--secret', keysArn], quiet),
  ]);
  expect(fromConsole.status).toBe(201);
  expect(codes).toEqual([0, 0]);
  const names = (await consoleCall(base(), master, 'GET', '/keys')).body.keys.map((k: { name: string }) => k.name);
  expect(names).toEqual(expect.arrayContaining(['from-console', 'from-cli-1', 'from-cli-2']));
});

it('read-only where ui.manage_keys is off: lists keys, offers the CLI, and refuses writes; sessions are shared by every container', async () => {
  // Signed in on the first gateway, the same cookie works on the second (sessions live in the table).
  const listing = await consoleCall(readOnly.url, master, 'GET', '/keys');
  expect(listing.status).toBe(200);
  expect(listing.body.manage_keys).toBe(false);
  expect(listing.body.cli.create).toContain('npx sagegate keys create');
  const refused = await consoleCall(readOnly.url, master, 'POST', '/keys', { name: 'nope' });
  expect(refused.status).toBe(403);
  expect(refused.body.error.message).toContain('npx sagegate keys create');
  expect((await consoleCall(readOnly.url, master, 'POST', '/master/stage', {})).status).toBe(403);
});

it("lists the model groups with prices and this container's health", async () => {
  const models = (await consoleCall(base(), master, 'GET', '/models')).body;
  expect(models.strategy).toBe('simple-shuffle');
  expect(models.groups.map((g: { name: string }) => g.name)).toEqual(['chat', 'other']);
  expect(models.groups[0].deployments[0]).toMatchObject({
    id: 'chat',
    target: 'chat-ep',
    prices: { input_per_token: 0.000001 },
    health: { state: 'available' },
  });
});

it('ends a session at sign-out, and every master-key session once a rotation has finished', async () => {
  const other = (await signIn(base(), STACK_MASTER)).session!;
  const signOut = await consoleCall(base(), other, 'POST', '/sign-out', {});
  expect(signOut.response.headers.getSetCookie()[0]).toContain('Max-Age=0');
  expect((await consoleCall(base(), other, 'GET', '/session')).status).toBe(401);

  const staged = await consoleCall(base(), master, 'POST', '/master/stage', {});
  expect(staged.status).toBe(201);
  const newMaster = staged.body.key as string;
  secretsSeen.push(newMaster);
  await settle();
  // While pending, both sign in; edits wait for the rotation to end, as in the CLI.
  const fresh = (await signIn(base(), newMaster)).session!;
  expect((await consoleCall(base(), master, 'POST', '/keys', { name: 'during' })).body.error.message).toContain('rotation is pending');
  expect((await consoleCall(base(), fresh, 'POST', '/master/finish', {})).status).toBe(200);
  await settle();
  expect((await consoleCall(base(), master, 'GET', '/keys')).status).toBe(401);
  expect((await consoleCall(readOnly.url, master, 'GET', '/keys')).status).toBe(401);
  expect((await consoleCall(base(), fresh, 'GET', '/keys')).status).toBe(200);
  const old = await signIn(base(), STACK_MASTER);
  expect(old.status).toBe(401);
  master = fresh;
});

it('signs in with an admin key, which ends its sessions once revoked', async () => {
  const admin = (await consoleCall(base(), master, 'POST', '/keys', { name: 'ops', admin: true })).body;
  await settle();
  const session = (await signIn(readOnly.url, admin.key)).session!;
  expect(session.principal).toBe(admin.record.id);
  expect((await consoleCall(readOnly.url, session, 'GET', '/overview')).status).toBe(200);
  await consoleCall(base(), master, 'POST', `/keys/${admin.record.id}/revoke`, {});
  await settle();
  expect((await consoleCall(readOnly.url, session, 'GET', '/overview')).status).toBe(401);
});

it('throttles sign-in per client address across containers, and logs no key', async () => {
  // Earlier tests took some of this window's attempts from 127.0.0.1; use them up on both gateways.
  let refused: Response | undefined;
  for (let i = 0; i < 40 && !refused; i++) {
    const guess = `sk-guess-${i}-0123456789`;
    secretsSeen.push(guess);
    const attempt = await signIn(i % 2 ? readOnly.url : base(), guess);
    if (attempt.status === 429) refused = attempt.response;
    else expect(attempt.status).toBe(401);
  }
  expect(refused).toBeDefined();
  expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThan(0);
  // The right key is refused too until the window ends: the count is per address, not per key.
  expect((await signIn(readOnly.url, 'sk-any')).status).toBe(429);
  const failures = logLines.filter((l) => l.includes('"console sign-in failed"'));
  expect(failures.length).toBeGreaterThan(10);
  expect(failures[0]).toMatch(/"source":"127\.0\.0\.1"/);
  expect(logLines.some((l) => l.includes('"console sign-in throttled"'))).toBe(true);
  for (const secret of secretsSeen) expect(logLines.filter((l) => l.includes(secret))).toEqual([]);
});

it('leaves the API as it was: /ui never answers for a disabled console, and the API needs its key', async () => {
  expect(await statusOf(chat('sk-not-a-key'))).toBe(401);
  const plain = await serveGateway(parseConfig('models: [{ name: chat, endpoint: chat-ep }]\nauth: { master_key: sk-plain-master-key-0123 }\n'), {
    port: 0,
  });
  try {
    const response = await fetch(`${plain.url}/ui`);
    expect(response.status).toBe(401);
  } finally {
    await plain.close();
  }
});

it('on Lambda: the real bundle loads the console from its own file beside the handler, on the first /ui request', async () => {
  // A table of its own: the sign-in throttle above has spent this address's attempts in the shared one.
  await db.createTable(`${TABLE}-lambda`);
  const config = parseConfig(
    `models: [{ name: chat, endpoint: chat-ep }]\nusage: { table: ${TABLE}-lambda }\nauth: { master_key: sk-lambda-console-master-01 }\nui: { enabled: true }\n`,
  );
  const bundle = await buildHandlerBundle(config);
  // AWS's own runtime client on Node 22, a Function URL in front.
  const lambda = await startLambda({
    bundle,
    env: {
      AWS_ENDPOINT_URL_DYNAMODB: process.env.AWS_ENDPOINT_URL_DYNAMODB,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER,
    },
  });
  const url = lambda.functionUrl;
  try {
    const page = await fetch(`${url.url}/ui`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const signed = await signIn(url.url, 'sk-lambda-console-master-01');
    expect(signed.status).toBe(200);
    expect((await consoleCall(url.url, signed.session, 'GET', '/overview')).status).toBe(200);
    expect((await consoleCall(url.url, signed.session, 'POST', '/keys', { name: 'x' })).status).toBe(403);
  } finally {
    await lambda.stop();
  }
}, 600_000);
