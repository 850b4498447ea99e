import { type Context, Hono, type MiddlewareHandler } from 'hono';
import type { KeyIndex } from '../auth/key-document.js';
import type { GatewayConfig, UiConfig } from '../config/config.js';
import { GatewayError, toGatewayError } from '../core/gateway-error.js';
import { log } from '../core/log.js';
import { dayOf } from '../dynamodb/table-layout.js';
import { errorResponse } from '../http/error-response.js';
import { KeyEditError } from '../keys/key-edit-error.js';
import type { ModelCatalog } from '../models/model-catalog.js';
import { pricesOf } from '../upstreams/index.js';
import type { Usage } from '../usage/usage.js';
import type { AdminCredentials } from './admin-credentials.js';
import { CSRF_HEADER, csrfTokenMatches, sameOrigin } from './csrf.js';
import type { KeyAdmin } from './key-admin.js';
import { clientAddress, type LoginThrottle } from './login-throttle.js';
import { IMMUTABLE, NO_STORE, SECURITY_HEADERS } from './security-headers.js';
import { clearSessionCookie, sessionCookieOf, sessionSetCookie } from './session-cookie.js';
import type { ActiveSession, Sessions } from './sessions.js';
import { type ConsoleAssets, contentTypeOf, indexHtml } from './static-assets.js';
import { budgetStatus, busiest, firstDayOf, type Grouping, lastUsed, type Range, rowsBetween, sum, usageCsv, usageSeries } from './usage-figures.js';

export interface ConsoleRouteDependencies {
  config: Pick<GatewayConfig, 'models' | 'router' | 'usage' | 'auth'> & { ui: UiConfig };
  usage: Pick<Usage, 'store' | 'budget'>;
  models: Pick<ModelCatalog, 'health'>;
  assets: ConsoleAssets;
  sessions: Sessions;
  credentials: AdminCredentials;
  throttle: LoginThrottle;
  /** Absent without a key store: the keys page says so. */
  keyAdmin?: KeyAdmin;
  keyIndex: () => Promise<KeyIndex | undefined>;
}

type Env = { Variables: { session: ActiveSession }; Bindings: { incoming?: { socket?: { remoteAddress?: string } } } | undefined };

/** The largest console request body (a key's settings): anything longer is no console request. */
const MAX_BODY_BYTES = 16 * 1024;

const consoleError = (status: number, message: string, code: string, retryAfter?: number) =>
  new GatewayError(status, message, { code, ...(retryAfter !== undefined && { retryAfter }) });

/** The CLI command for each write, shown when the console is read-only (and in its refusal). */
export const CLI_FOR: Record<string, string> = {
  create: 'npx sagegate keys create --name <name> [--models a,b] [--expires 30d] [--rpm 60] [--tpm 100000] [--budget 20] [--admin]',
  update: 'npx sagegate keys update <key id> [--rpm 60|none] [--tpm 100000|none] [--budget 20|none] [--budget-duration 30d]',
  revoke: 'npx sagegate keys revoke <key id>',
  stage: 'npx sagegate keys rotate-master',
  finish: 'npx sagegate keys rotate-master --finish',
  abort: 'npx sagegate keys rotate-master --abort',
};

/**
 * The console's HTTP surface under /ui: the page and its assets, sign-in and sign-out, and JSON for
 * the pages. Every answer carries the security headers; data answers are never cached; every
 * request but the page, its assets and sign-in needs a live session, and every write also the
 * session's CSRF token from this origin.
 */
export function consoleRoutes(deps: ConsoleRouteDependencies): Hono<Env> {
  const { config, sessions, credentials } = deps;
  const ui = config.ui;
  const app = new Hono<Env>();

  app.use(async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
  });

  const page = (c: Context<Env>) => c.html(indexHtml(deps.assets), 200, NO_STORE);
  app.get('/ui', page);
  app.get('/ui/', page);
  app.get('/ui/assets/:name', (c) => {
    const name = c.req.param('name');
    const body = Object.hasOwn(deps.assets.files, name) ? deps.assets.files[name] : undefined;
    if (body === undefined) throw consoleError(404, 'No such console asset.', 'not_found');
    return c.body(body, 200, { 'content-type': contentTypeOf(name), ...IMMUTABLE });
  });

  const api = new Hono<Env>();
  api.use(async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(NO_STORE)) c.res.headers.set(name, value);
  });

  // Writes come from the console's own pages only: same origin, JSON, and (once signed in) the token.
  const fromConsole: MiddlewareHandler<Env> = async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && !sameOrigin(c.req.raw)) {
      log.warn('console request refused: not from the console', { path: c.req.path, site: c.req.header('sec-fetch-site') ?? null });
      throw consoleError(403, 'This request does not come from the console (another site, or not JSON).', 'cross_site_request');
    }
    await next();
  };
  api.use(fromConsole);

  api.post('/sign-in', async (c) => {
    if (!credentials.configured)
      throw consoleError(503, 'The console has nothing to sign in with: set a master key or a key store.', 'console_unconfigured');
    const source = clientAddress(c.req.header('x-forwarded-for'), c.env?.incoming?.socket?.remoteAddress);
    const decision = await deps.throttle.take(source);
    if (!decision.allowed) {
      log.warn('console sign-in throttled', { source, retryAfter: decision.retryAfter });
      throw consoleError(429, 'Too many sign-in attempts from this address; try again later.', 'sign_in_throttled', decision.retryAfter);
    }
    const body = await jsonBody(c);
    const key = typeof body.key === 'string' ? body.key.trim() : '';
    const identity = await credentials.identify(key);
    // A session the browser brought is never carried over: sign-in always starts a new one.
    await sessions.end(sessionCookieOf(c.req.header('cookie')));
    if (!identity) {
      // Logged without the key, as every failure is.
      log.warn('console sign-in failed', { source, reason: key ? 'not the master key or an active admin key' : 'no key' });
      throw consoleError(401, 'That key cannot sign in to the console (the master key or an admin key can).', 'invalid_api_key');
    }
    const opened = await sessions.open(identity.principal, identity.fingerprint);
    log.info('console sign-in', { source, principal: identity.principal });
    c.header('set-cookie', sessionSetCookie(opened.cookie));
    return c.json(sessionView(identity.principal, opened.csrf, ui, Boolean(deps.keyAdmin)));
  });

  // Everything below needs a live session whose key still signs in.
  api.use(async (c, next) => {
    const session = await sessions.check(sessionCookieOf(c.req.header('cookie')));
    if (!session) throw consoleError(401, 'Not signed in, or the session has ended.', 'session_required');
    if (!(await credentials.stillValid(session.principal, session.fingerprint))) {
      await sessions.endSession(session);
      log.info('console session ended: its key no longer signs in', { principal: session.principal });
      throw consoleError(401, 'The session ended: the key it was opened with was rotated or revoked.', 'session_required');
    }
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && !csrfTokenMatches(c.req.header(CSRF_HEADER), session.csrf)) {
      log.warn('console request refused: CSRF token missing or wrong', { path: c.req.path, principal: session.principal });
      throw consoleError(403, 'The request lacks this session\u2019s CSRF token.', 'csrf_token_invalid');
    }
    c.set('session', session);
    await next();
  });

  api.get('/session', (c) => c.json(sessionView(c.get('session').principal, c.get('session').csrf, ui, Boolean(deps.keyAdmin))));
  api.post('/sign-out', async (c) => {
    await sessions.endSession(c.get('session'));
    c.header('set-cookie', clearSessionCookie());
    c.header('clear-site-data', '"cache", "storage"');
    return c.json({ signed_out: true });
  });

  api.get('/overview', async (c) => {
    const now = Date.now();
    const names = await keyNames(deps.keyIndex);
    const budget = deps.usage.budget;
    const first = [firstDayOf('30d', now), ...(budget ? [budgetStartOf(budget, now)] : [])].sort()[0]!;
    const rows = await rowsBetween(deps.usage.store, first, dayOf(now));
    const today = dayOf(now);
    const month = `${today.slice(0, 7)}-01`;
    const recent = rows.filter((r) => r.day >= firstDayOf('30d', now));
    return c.json({
      today: sum(rows.filter((r) => r.day === today)),
      month: sum(rows.filter((r) => r.day >= month)),
      budget: budget ? budgetStatus(budget, rows, undefined, now) : null,
      busiest_models: busiest(recent, 'model'),
      busiest_keys: busiest(recent, 'key').map((k) => ({ ...k, key_name: names.get(k.name) ?? null })),
      daily: usageSeries(recent, '30d', 'none', {}, now),
      store: deps.usage.store.description,
    });
  });

  const seriesOf = async (c: Context<Env>) => {
    const range = (c.req.query('range') ?? '30d') as Range;
    const group = (c.req.query('group') ?? 'model') as Grouping;
    if (range !== '30d' && range !== '48h') throw consoleError(400, "range is '30d' or '48h'.", 'invalid_range');
    if (!['model', 'key', 'deployment', 'none'].includes(group))
      throw consoleError(400, "group is 'model', 'key', 'deployment' or 'none'.", 'invalid_group');
    const filters = {
      key: c.req.query('key') || undefined,
      model: c.req.query('model') || undefined,
      deployment: c.req.query('deployment') || undefined,
    };
    const now = Date.now();
    const rows = await rowsBetween(deps.usage.store, firstDayOf(range, now), dayOf(now), filters.key);
    return usageSeries(rows, range, group, filters, now);
  };
  api.get('/usage', async (c) => c.json(await seriesOf(c)));
  api.get('/usage.csv', async (c) => {
    const series = await seriesOf(c);
    return c.body(usageCsv(series), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="sagegate-usage-${series.range}-by-${series.group}.csv"`,
    });
  });

  api.get('/keys', async (c) => {
    if (!deps.keyAdmin) return c.json({ store: null, master: null, keys: [], manage_keys: false, cli: CLI_FOR });
    const listing = await deps.keyAdmin.list();
    const now = Date.now();
    const first = [firstDayOf('30d', now), ...listing.keys.filter((k) => k.budget).map((k) => budgetStartOf(budgetSpecOf(k)!, now))].sort()[0]!;
    const rows = await rowsBetween(deps.usage.store, first, dayOf(now));
    const recent = rows.filter((r) => r.day >= firstDayOf('30d', now));
    const keys = listing.keys.map((k) => {
      const spec = budgetSpecOf(k);
      return {
        ...k,
        spend_30d_usd: sum(recent.filter((r) => r.key === k.id)).cost,
        budget_status: spec ? budgetStatus(spec, rows, k.id, now) : null,
        last_used: lastUsed(recent, k.id) ?? null,
      };
    });
    return c.json({ store: 'secrets_manager', master: listing.master, keys, manage_keys: ui.manageKeys, cli: CLI_FOR });
  });

  // Writes: only where the config says `ui.manage_keys: true` (and the stack granted the permissions).
  const writes =
    (action: keyof typeof CLI_FOR): MiddlewareHandler<Env> =>
    async (_c, next) => {
      if (!ui.manageKeys || !deps.keyAdmin)
        throw consoleError(403, `The console is read-only for keys (ui.manage_keys is off). Use the CLI: ${CLI_FOR[action]}`, 'console_read_only');
      await next();
    };
  const audit = (c: Context<Env>, action: string, key?: string) =>
    log.info('console key change', { action, principal: c.get('session').principal, ...(key && { key }) });

  api.post('/keys', writes('create'), async (c) => {
    const created = await deps.keyAdmin!.create(await jsonBody(c));
    audit(c, 'create', created.record.id);
    return c.json(created, 201);
  });
  api.patch('/keys/:id', writes('update'), async (c) => {
    const record = await deps.keyAdmin!.update(c.req.param('id'), await jsonBody(c));
    audit(c, 'update', record.id);
    return c.json(record);
  });
  api.post('/keys/:id/revoke', writes('revoke'), async (c) => {
    await deps.keyAdmin!.revoke(c.req.param('id'));
    audit(c, 'revoke', c.req.param('id'));
    return c.json({ revoked: c.req.param('id') });
  });
  api.post('/master/stage', writes('stage'), async (c) => {
    const key = await deps.keyAdmin!.stageMaster();
    audit(c, 'rotate-master');
    return c.json({ key }, 201);
  });
  api.post('/master/finish', writes('finish'), async (c) => {
    await deps.keyAdmin!.finishRotation();
    audit(c, 'rotate-master --finish');
    return c.json({ finished: true });
  });
  api.post('/master/abort', writes('abort'), async (c) => {
    await deps.keyAdmin!.abortRotation();
    audit(c, 'rotate-master --abort');
    return c.json({ aborted: true });
  });

  api.get('/models', (c) => c.json(modelsView(config, deps.models)));

  app.route('/ui/api', api);
  app.all('/ui/*', () => {
    throw consoleError(404, 'No such console page or API.', 'not_found');
  });

  app.onError((error) => {
    if (error instanceof KeyEditError) return errorResponse(consoleError(400, error.message, 'invalid_key_edit'));
    const gatewayError = error instanceof GatewayError ? error : toGatewayError(error);
    if (gatewayError.status >= 500) {
      log.error('console request failed', { error: (error as Error).name, detail: (error as Error).message?.slice(0, 300) });
      return errorResponse(
        consoleError(503, 'The console could not reach the key store or the usage table; try again shortly.', 'console_unavailable', 5),
      );
    }
    return errorResponse(gatewayError);
  });
  return app;
}

function sessionView(principal: string, csrf: string, ui: UiConfig, keyStore: boolean) {
  return {
    principal,
    csrf_token: csrf,
    manage_keys: ui.manageKeys && keyStore,
    idle_timeout_minutes: ui.idleTimeoutMinutes,
    absolute_timeout_minutes: ui.absoluteTimeoutMinutes,
  };
}

/** A JSON object body of at most MAX_BODY_BYTES, or the client's 400/413. */
async function jsonBody(c: Context<Env>): Promise<Record<string, unknown>> {
  const length = Number(c.req.header('content-length') ?? 0);
  if (length > MAX_BODY_BYTES) throw consoleError(413, 'The request body is too large for the console.', 'body_too_large');
  const text = await c.req.text();
  if (text.length > MAX_BODY_BYTES) throw consoleError(413, 'The request body is too large for the console.', 'body_too_large');
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    throw consoleError(400, 'The request body is not valid JSON.', 'invalid_json');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw consoleError(400, 'The request body must be a JSON object.', 'invalid_json');
  return body as Record<string, unknown>;
}

async function keyNames(index: () => Promise<KeyIndex | undefined>): Promise<Map<string, string>> {
  const names = new Map<string, string>([['master', 'master key']]);
  try {
    for (const record of (await index())?.keys.values() ?? []) names.set(record.id, record.name);
  } catch {
    // Names are a courtesy: the figures stand without them.
  }
  return names;
}

function budgetSpecOf(k: { budget?: number; budget_duration?: string; budget_start?: string }) {
  return k.budget
    ? { maxBudget: k.budget, ...(k.budget_duration && { duration: k.budget_duration }), ...(k.budget_start && { anchor: k.budget_start }) }
    : undefined;
}

function budgetStartOf(spec: { maxBudget: number; duration?: string; anchor?: string }, now: number): string {
  return budgetStatus(spec, [], undefined, now).period_start;
}

/** Model groups, their deployments, prices and this container's view of their health; routing and fallbacks. */
function modelsView(config: Pick<GatewayConfig, 'models' | 'router'>, models: Pick<ModelCatalog, 'health'>) {
  const health = new Map(models.health(undefined).map((h) => [h.deployment as string, h]));
  const groups = new Map<string, unknown[]>();
  for (const m of config.models) {
    const prices = pricesOf(m);
    const deployments = groups.get(m.name) ?? [];
    deployments.push({
      id: m.id,
      provider: m.provider,
      dialect: m.dialect,
      target: m.provider === 'sagemaker' ? m.endpoint : new URL(m.baseUrl).host,
      ...(m.provider === 'sagemaker' && m.inferenceComponent && { inference_component: m.inferenceComponent }),
      routing: m.routing ?? {},
      prices: prices
        ? { input_per_token: prices.inputPerToken, output_per_token: prices.outputPerToken, source: m.prices ? 'config' : 'list price' }
        : null,
      health: health.get(m.id) ?? null,
    });
    groups.set(m.name, deployments);
  }
  const router = config.router;
  return {
    strategy: router.strategy,
    num_retries: router.numRetries ?? null,
    cooldown_seconds: router.cooldownSeconds,
    allowed_fails: router.allowedFails,
    groups: [...groups].map(([name, deployments]) => ({
      name,
      deployments,
      fallbacks: router.fallbacks[name] ?? router.defaultFallbacks,
      context_window_fallbacks: router.contextWindowFallbacks[name] ?? [],
      aliases: Object.entries(router.aliases)
        .filter(([, a]) => a.group === name)
        .map(([alias, a]) => ({ alias, hidden: a.hidden })),
    })),
  };
}
