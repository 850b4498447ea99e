import '../support/loud-logs.js';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { parseConfig } from '../../config/load.js';
import { dollars } from '../../lambda/console/client/format.js';
import { provideConsoleAssets } from '../../lib/console-build.js';
import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import { SecretsManagerEmulator } from '../../local/emulators/secrets-manager.js';
import { type LocalGateway, serveGateway } from '../../local/serve.js';
import { CHROMIUM_ARGS, ChromiumMissing, ensureChromium } from '../support/chromium.js';
import { type DynamoDbDouble, startDynamoDb } from '../support/dynamodb-double.js';
import { type Harness, startHarness } from '../support/harness.js';

/**
 * The console in a real browser: Debian's headless Chromium driven by playwright-core, against
 * gateways these tests start (the SageMaker emulator, dynalite, the Secrets Manager emulator), with
 * the `openai` client making the requests the pages then show. Screenshots of each page at a phone's
 * and a laptop's width go to test-artifacts/console/.
 */
const chromiumOrWhyNot = ensureChromium();
const SHOTS = fileURLToPath(new URL('../../test-artifacts/console/', import.meta.url));
const TABLE = 'sagegate-console-browser';
const STACK_MASTER = 'generatedByTheStackAtDeployBrowser0123456789';
const XSS = '<img src=x onerror=alert(1)>';
const WIDTHS = { phone: { width: 375, height: 812 }, laptop: { width: 1280, height: 900 } };

describe('the console in Chromium', () => {
  const secrets = new SecretsManagerEmulator();
  const quiet = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  let db: DynamoDbDouble;
  let h: Harness;
  let readOnly: LocalGateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let attacker: Server;
  let keysArn: string;
  const dialogs: string[] = [];
  const url = (gateway: { url: string }) => gateway.url.replace('127.0.0.1', 'localhost'); // a secure context: the __Host- cookie is kept
  const settle = () => new Promise((r) => setTimeout(r, 1100));

  const configFor = (ui: string) => `
models:
  - { name: chat, endpoint: chat-ep, prices: { input_per_token: 0.000001, output_per_token: 0.000002 } }
  - { name: other, endpoint: chat-ep }
usage: { table: ${TABLE}, max_budget: 5 }
auth: { keys_secret: "${keysArn}", cache_ttl_seconds: 1 }
ui: ${ui}
`;

  beforeAll(async () => {
    // Without Chromium every test here fails with this one message (what is missing and how to install it).
    if (chromiumOrWhyNot instanceof ChromiumMissing) throw chromiumOrWhyNot;
    mkdirSync(SHOTS, { recursive: true });
    // The gateways' log lines stay off the test output.
    process.stdout.write = (() => true) as typeof process.stdout.write;
    process.stderr.write = ((chunk: unknown) => (String(chunk).includes('"level"') ? true : quiet.err(String(chunk)))) as typeof process.stderr.write;
    db = await startDynamoDb();
    process.env.AWS_ENDPOINT_URL_DYNAMODB = db.url;
    await db.createTable(TABLE);
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = await secrets.start();
    keysArn = secrets.put('SageGateApiKeys', JSON.stringify({ version: 1, master_key: STACK_MASTER }));
    process.env.SAGEGATE_CONSOLE_SECRET = secrets.put('SageGateConsoleSessionKey', 's'.repeat(64));
    await provideConsoleAssets();
    h = await startHarness(configFor('{ enabled: true, manage_keys: true, max_sign_in_attempts: 40 }'), (e) =>
      e.addEndpoint('chat-ep', openAIChatContainer()),
    );
    readOnly = await serveGateway(parseConfig(configFor('{ enabled: true, max_sign_in_attempts: 40 }')), { port: 0 });
    // Another site, whose page posts a form to the console.
    attacker = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        `<form id="f" method="POST" action="${url(h.gateway)}/ui/api/keys"><input name="name" value="forged-by-form"></form><script>document.getElementById('f').submit()</script>`,
      );
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    browser = await chromium.launch({ executablePath: chromiumOrWhyNot as string, args: CHROMIUM_ARGS });
    context = await browser.newContext({ viewport: WIDTHS.laptop });
    page = await context.newPage();
    page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      // Confirmations are the admin's; an alert would be injected script.
      void (dialog.type() === 'confirm' ? dialog.accept() : dialog.dismiss());
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    attacker?.close();
    await readOnly?.close();
    await h?.close();
    await secrets.stop();
    await db?.stop();
    delete process.env.SAGEGATE_CONSOLE_SECRET;
    process.stdout.write = quiet.out;
    process.stderr.write = quiet.err;
  });

  const chat = (key: string, model = 'chat') =>
    new OpenAI({ baseURL: `${h.gateway.url}/v1`, apiKey: key, maxRetries: 0 }).chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'hi' }],
    });
  const statusOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 200,
      (e: { status?: number }) => e.status ?? 0,
    );

  /** Each width, the page as it stands: test-artifacts/console/<name>-<width>.png. */
  async function shoot(target: Page, name: string) {
    for (const [width, size] of Object.entries(WIDTHS)) {
      await target.setViewportSize(size);
      await target.waitForTimeout(150);
      await target.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
    }
    await target.setViewportSize(WIDTHS.laptop);
  }

  async function signInWith(target: Page, base: string, key: string) {
    await target.goto(`${base}/ui`);
    await target.fill('#key', key);
    await target.press('#key', 'Enter');
  }

  it('refuses a wrong key, signs in with the master key, and shows what the openai client spent', async () => {
    await signInWith(page, url(h.gateway), 'sk-wrong-key');
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('cannot sign in');
    await shoot(page, 'sign-in');
    await page.fill('#key', STACK_MASTER);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await chat(STACK_MASTER));
    answers.push(await chat(STACK_MASTER, 'other'));
    await h.gateway.settled();
    const tokens = answers.reduce((sum, a) => sum + a.usage!.total_tokens, 0);
    // Only `chat` has prices (1 and 2 micro-dollars a token); `other` counts tokens at no cost.
    const spend = answers.slice(0, 3).reduce((sum, a) => sum + a.usage!.prompt_tokens * 0.000001 + a.usage!.completion_tokens * 0.000002, 0);
    await page.reload();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const today = page.locator('.card', { hasText: 'Today (UTC)' });
    await today.getByText('4 requests').waitFor();
    expect(await today.textContent()).toContain(`${tokens} tokens`);
    expect(await today.textContent()).toContain(dollars(spend));
    await page.getByRole('cell', { name: 'chat', exact: true }).first().waitFor();
    await shoot(page, 'overview');
  });

  it('charts usage by day and by hour, grouped by model, with the table behind the chart', async () => {
    await page.getByRole('link', { name: 'Usage' }).click();
    await page.getByRole('heading', { name: 'Usage' }).waitFor();
    await page.getByLabel('Show').selectOption('requests');
    await page.locator('.totals', { hasText: '4 requests' }).waitFor();
    await page.getByLabel('Period').selectOption('48h');
    await page.getByRole('columnheader', { name: 'Hour (UTC)' }).waitFor();
    await page.locator('.totals', { hasText: '4 requests' }).waitFor();
    const rows = page.locator('.scroll table tbody tr');
    expect(await rows.count()).toBe(2); // this hour: chat and other
    expect(await rows.first().textContent()).toMatch(/chat3/);
    await page.locator('.u-over').first().waitFor();
    await shoot(page, 'usage');
  });

  it('creates a key shown once that the openai client can use, renders a hostile name as text, and revokes it', async () => {
    await page.getByRole('link', { name: 'Keys' }).click();
    await page.getByRole('heading', { name: 'Create a key' }).waitFor();
    await page.getByLabel('Name').fill('team-a');
    await page.getByLabel('Requests / min').fill('50');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = page.locator('.shown-once code.secret');
    await secret.waitFor();
    const key = (await secret.textContent())!;
    expect(key).toMatch(/^sk-sg-[A-Za-z0-9]{40}$/);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url(h.gateway) });
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.locator('body').textContent()).not.toContain(key);
    await settle();
    expect(await statusOf(chat(key))).toBe(200);

    await page.getByLabel('Name').fill(XSS);
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('button', { name: 'Done' }).click();
    const hostile = page.locator('.key-name', { hasText: XSS });
    await hostile.waitFor();
    expect(await hostile.textContent()).toBe(XSS);
    expect(await page.locator('table img').count()).toBe(0);
    await shoot(page, 'keys');

    const row = page.locator('tr', { has: page.locator('.key-name', { hasText: /^team-a$/ }) });
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByText('revoked').waitFor();
    await settle();
    expect(await chat(key).catch((e) => e)).toMatchObject({ status: 401 });
    expect(dialogs.filter((d) => d.startsWith('alert'))).toEqual([]);
  });

  it('read-only where ui.manage_keys is off: no create form, the CLI commands instead, and the API refuses a write anyway', async () => {
    // The session cookie opened on the first gateway is good on this one too: sessions live in the shared table.
    const other = await context.newPage();
    await other.goto(`${url(readOnly)}/ui`);
    await other.getByRole('link', { name: 'Keys' }).click();
    await other.getByText('Read-only').waitFor();
    expect(await other.getByRole('heading', { name: 'Create a key' }).count()).toBe(0);
    expect(await other.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
    expect(await other.locator('.cli').textContent()).toContain('npx sagegate keys create');
    const status = await other.evaluate(async () => {
      const response = await fetch('/ui/api/keys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"sneaky"}' });
      return response.status;
    });
    expect(status).toBe(403);
    await shoot(other, 'keys-read-only');
    await other.close();
  });

  it('lists the models with their health', async () => {
    await page.getByRole('link', { name: 'Models' }).click();
    await page.getByRole('cell', { name: 'available' }).first().waitFor();
    await shoot(page, 'models');
    const dark = await browser.newContext({ viewport: WIDTHS.phone, colorScheme: 'dark', storageState: await context.storageState() });
    const night = await dark.newPage();
    await night.goto(`${url(h.gateway)}/ui#/overview`);
    await night.getByRole('heading', { name: 'Overview' }).waitFor();
    await night.waitForTimeout(200);
    await night.screenshot({ path: join(SHOTS, 'overview-phone-dark.png'), fullPage: true });
    expect(await night.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(11, 17, 32)');
    await dark.close();
  });

  it('refuses a cross-site form post (the key is not created)', async () => {
    const evil = await context.newPage();
    await evil.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`);
    await evil.waitForLoadState('load');
    await evil.waitForTimeout(300);
    await evil.close();
    await page.getByRole('link', { name: 'Keys' }).click();
    await page.getByRole('heading', { name: 'Create a key' }).waitFor();
    expect(await page.locator('body').textContent()).not.toContain('forged-by-form');
  });

  it('ends the session of the old master key once a rotation made in the console has finished', async () => {
    await page.getByRole('button', { name: 'Rotate: stage a new master key' }).click();
    const secret = page.locator('.shown-once code.secret');
    await secret.waitFor();
    const newMaster = (await secret.textContent())!;
    await page.getByRole('button', { name: 'Done' }).click();
    await settle();
    // A second admin signs in with the new key and finishes the rotation.
    const second = await (await browser.newContext({ viewport: WIDTHS.laptop })).newPage();
    await signInWith(second, url(h.gateway), newMaster);
    await second.getByRole('link', { name: 'Keys' }).click();
    second.on('dialog', (d) => void d.accept());
    await second.getByRole('button', { name: 'Finish the rotation' }).click();
    await second.getByText('Stored as a hash').waitFor();
    await settle();
    // The first page's session (the old master key) is over: its next request lands on the sign-in form.
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.locator('#key').waitFor();
    await second.context().close();
  });

  it('rate-limits sign-in attempts', async () => {
    await page.goto(`${url(h.gateway)}/ui`);
    await page.locator('#key').waitFor();
    // Guesses from this page as a script would make them, until the window's attempts are used up...
    const statuses = await page.evaluate(async () => {
      const seen: number[] = [];
      for (let i = 0; i < 45 && !seen.includes(429); i++) {
        const response = await fetch('/ui/api/sign-in', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ key: `sk-guess-${i}` }),
        });
        seen.push(response.status);
      }
      return seen;
    });
    expect(statuses.at(-1)).toBe(429);
    expect(new Set(statuses.slice(0, -1))).toEqual(new Set([401]));
    // ...then the form says so, even for the right key.
    await page.fill('#key', STACK_MASTER);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('Too many sign-in attempts').waitFor();
  });
});
