import { Hono, type MiddlewareHandler } from 'hono';
import { presentedKey } from '../auth/authenticator.js';
import { describeCause, GatewayError, quoted, toGatewayError } from '../core/gateway-error.js';
import { log } from '../core/log.js';
import { requestMetrics } from '../core/metrics.js';
import type { AppDependencies } from './dependencies.js';
import type { AppEnv } from './env.js';
import { errorResponse } from './error-response.js';
import { usageGate } from './metering.js';
import { carriesRequestId } from './respond.js';
import { chatCompletions } from './routes/chat-completions.js';
import { completions } from './routes/completions.js';
import { embeddings } from './routes/embeddings.js';
import { messagesApi } from './routes/messages.js';
import { listModels, modelHealth, retrieveModel } from './routes/models.js';
import { createResponse, deleteResponse, listInputItems, retrieveResponse } from './routes/responses.js';

/**
 * The HTTP surface, the same on Lambda and locally: OpenAI's routes with and without the `/v1`
 * prefix (clients differ), and a cheap unauthenticated health check.
 */
export function createApp(deps: AppDependencies): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    const started = performance.now();

    const requestId = `req_${crypto.randomUUID().replaceAll('-', '')}`;
    c.set('requestId', requestId);
    await next();
    if (!carriesRequestId(c.res)) c.res.headers.set('x-request-id', requestId);
    const status = c.res.status;
    const ms = Math.round(performance.now() - started);
    const model = c.get('model');
    const fields: Record<string, unknown> = {
      requestId,
      method: c.req.method,
      path: c.req.path,
      status,
      model,
      ms,
      ...requestMetrics(status, ms, model),
    };
    const error = c.get('error');
    if (error && status >= 500) Object.assign(fields, { code: error.code, cause: describeCause(error) });
    // A client that left (mid-upload, or before the answer) is no failure of the gateway's: no error alarm.
    if (status === 499) fields.code = 'client_closed_request';
    // Written once the answer (or a stream's first chunk) has gone out: a log line is a synchronous
    // write to a pipe, which has no business between the model's first token and the client.
    if (status >= 500) setImmediate(log.error, 'request failed', fields);
    else setImmediate(log.info, 'request', fields);
  });

  const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
    const key = presentedKey(c.req.header('authorization'), c.req.header('x-api-key'));
    c.set('principal', await deps.auth.authenticate(key));

    await next();
  };

  app.get('/health', (c) => c.json({ status: 'ok' }));
  // The health check path of seed 003's load balancer (and SageMaker's own containers): as cheap.
  app.get('/ping', (c) => c.json({ status: 'ok' }));
  app.get('/health/models', authenticate, modelHealth(deps));

  const api = new Hono<AppEnv>();
  api.use(authenticate);
  // Budgets and shared limits for the routes that call a model, and only those: a mistyped URL stays
  // a 404 (not a 429 once a budget is spent) and takes nothing from the key's requests per minute.
  const gate = usageGate(deps);
  api.post('/chat/completions', gate, chatCompletions(deps));
  api.post('/completions', gate, completions(deps));
  api.post('/embeddings', gate, embeddings(deps));
  api.post('/responses', gate, createResponse(deps));
  api.get('/responses/:id/input_items', listInputItems(deps));
  api.get('/responses/:id', retrieveResponse(deps));
  api.delete('/responses/:id', deleteResponse(deps));
  api.get('/models', listModels(deps));
  api.get('/models/:id{.+}', retrieveModel(deps));
  // Anthropic's Messages API first: its errors (authentication included) are Anthropic-shaped.
  app.route('/v1', messagesApi(deps, authenticate));
  app.route('/v1', api);
  app.route('/', api);

  app.notFound((c) =>
    errorResponse(new GatewayError(404, `Unknown request URL: ${quoted(c.req.method, 16)} ${quoted(c.req.path, 128)}.`, { code: 'unknown_url' })),
  );
  app.onError((error, c) => {
    const gatewayError = toGatewayError(error);
    c.set('error', gatewayError);
    if (gatewayError.status === 500)
      log.error('unexpected error', { requestId: c.get('requestId'), error: String(error), stack: (error as Error).stack });
    return errorResponse(gatewayError);
  });
  return app;
}
