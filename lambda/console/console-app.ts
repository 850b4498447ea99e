import type { KeyIndex } from '../auth/key-document.js';
import { SecretKeyStore } from '../auth/secret-key-store.js';
import type { GatewayConfig, UiConfig } from '../config/config.js';
import type { ModelCatalog } from '../models/model-catalog.js';
import type { Usage } from '../usage/usage.js';
import { AdminCredentials } from './admin-credentials.js';
import { consoleSecret } from './console-secret.js';
import { DynamoSessionStore } from './dynamodb-session-store.js';
import { KeyAdmin } from './key-admin.js';
import { DynamoLoginThrottle, MemoryLoginThrottle } from './login-throttle.js';
import { consoleRoutes } from './routes.js';
import { MemorySessionStore } from './session-store.js';
import { Sessions } from './sessions.js';
import { consoleAssets } from './static-assets.js';
import type { DynamoDb } from './table-client.js';

/** What the console is handed by the gateway that mounts it (objects of the gateway's own, shared, not copied). */
export interface ConsoleDependencies {
  config: Pick<GatewayConfig, 'models' | 'router' | 'usage' | 'auth'> & { ui: UiConfig };
  usage: Pick<Usage, 'store' | 'budget'>;
  models: Pick<ModelCatalog, 'health'>;
  /** The gateway's DynamoDB client, when it has a usage table: sessions and sign-in counts live there. */
  dynamoDb?: DynamoDb;
  /** The Secrets Manager secret that seals session cookies (the stack's; a random key per process without one). */
  consoleSecretId?: string;
}

const GRACE_MS = 15 * 60_000;

/** The console's request handler, made once per container on its first /ui request. */
export async function createConsole(deps: ConsoleDependencies): Promise<(request: Request, env?: unknown) => Promise<Response>> {
  const { config } = deps;
  const ui = config.ui;
  const secret = consoleSecret(deps.consoleSecretId);
  const table = config.usage.table;
  const keysSecret = config.auth.keysSecret;
  // The key store as sign-in and session checks see it: cached for the gateway's key TTL, as the API's own copy.
  const keyStore = keysSecret ? new SecretKeyStore(keysSecret, config.auth.cacheTtlSeconds * 1000, GRACE_MS) : undefined;
  const keys: () => Promise<KeyIndex | undefined> = async () => keyStore?.current();
  const credentials = new AdminCredentials(keys, config.auth.masterKeySha256, secret, Boolean(keyStore));
  const sessionStore = table && deps.dynamoDb ? new DynamoSessionStore(table, deps.dynamoDb) : new MemorySessionStore();
  const sessions = new Sessions(sessionStore, secret, { idleMs: ui.idleTimeoutMinutes * 60_000, absoluteMs: ui.absoluteTimeoutMinutes * 60_000 });
  const throttle =
    table && deps.dynamoDb ? new DynamoLoginThrottle(table, deps.dynamoDb, ui.maxSignInAttempts) : new MemoryLoginThrottle(ui.maxSignInAttempts);
  let keyAdmin: KeyAdmin | undefined;
  if (keysSecret) {
    const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    keyAdmin = new KeyAdmin(keysSecret, new SecretsManagerClient({ maxAttempts: 3 }));
  }
  const app = consoleRoutes({
    config,
    usage: deps.usage,
    models: deps.models,
    assets: consoleAssets(),
    sessions,
    credentials,
    throttle,
    keyAdmin,
    keyIndex: keys,
  });
  return (request, env) => Promise.resolve(app.fetch(request, env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined));
}
