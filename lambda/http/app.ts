import { Hono } from 'hono';
import { GatewayError, quoted, toGatewayError } from '../core/gateway-error.js';
import { log } from '../core/log.js';
import type { AppDependencies } from './dependencies.js';
import type { AppEnv } from './env.js';
import { errorResponse } from './error-response.js';
import { accessLog } from './middleware/access-log.js';
import { authenticate } from './middleware/authenticate.js';
import { requestId } from './middleware/request-id.js';
import { usageGate } from './middleware/usage-gate.js';
import { chatCompletions } from './routes/chat-completions.js';
import { completions } from './routes/completions.js';
import { embeddings } from './routes/embeddings.js';
import { messagesApi } from './routes/messages.js';
import { listModels, modelHealth, retrieveModel } from './routes/models.js';
import { createResponse } from './routes/responses.js';
import { deleteResponse, listInputItems, retrieveResponse } from './routes/stored-responses.js';

/**
 * The HTTP surface, the same on Lambda and locally: OpenAI's routes with and without the `/v1`
 * prefix (clients differ), and a cheap unauthenticated health check.
 */
export function createApp(deps: AppDependencies): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use(requestId(), accessLog());
  const authenticated = authenticate(deps);

  app.get('/health', (c) => c.json({ status: 'ok' }));
  // The health check path of load balancers and container hosts (and SageMaker's own containers): as cheap.
  app.get('/ping', (c) => c.json({ status: 'ok' }));
  app.get('/health/models', authenticated, modelHealth(deps));
  if (deps.console) app.route('/ui', deps.console);

  const api = new Hono<AppEnv>();
  api.use(authenticated);
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
  app.route('/v1', messagesApi(deps));
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
