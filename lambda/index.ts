import type { GatewayConfig } from './config/config.js';
import { configureLog, logSettingsFrom } from './core/log.js';
import { configureMetrics } from './core/metrics.js';
import { createGateway } from './gateway.js';
import { streamingHandler } from './runtime/lambda/streaming-handler.js';

/**
 * The Lambda entry. The CDK app bundles the validated config in as JSON (`SAGEGATE_CONFIG`, replaced
 * at build time); the stack passes the key store secret and the usage table in the environment.
 */
configureLog(logSettingsFrom(process.env));
// CloudWatch reads the function's log lines: metrics ride on them at no cost.
configureMetrics({ embedded: true });

const config: GatewayConfig = JSON.parse(process.env.SAGEGATE_CONFIG ?? '{}');
const keysSecret = process.env.SAGEGATE_KEYS_SECRET;
if (keysSecret) config.auth = { ...config.auth, keysSecret, disabled: false };
const usageTable = process.env.SAGEGATE_USAGE_TABLE;
if (usageTable) config.usage = { ...config.usage, table: usageTable };

const gateway = createGateway(config);
// Read the key store (and the gateway budget's spend) while the container initialises, not on the first request.
gateway.auth.warm();
gateway.usage.warm();

export const handler = streamingHandler(gateway.app.fetch);
