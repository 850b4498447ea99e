/**
 * `npm start`: the gateway on http://127.0.0.1:8080.
 *   npm start                                 the embedded demo (no AWS account needed)
 *   npm start -- --config sagegate.yaml       your config, with your AWS credentials
 *   npm start -- --config x.yaml --port 9000 --host 0.0.0.0
 * The same file, bundled, is the container's server (Dockerfile): the config then comes from
 * SAGEGATE_CONFIG_FILE (a path) or SAGEGATE_CONFIG_YAML (the config itself), and SIGTERM drains.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, configNotices, loadConfigFile, parseConfig } from '../config/load.js';
import type { GatewayConfig } from '../lambda/config/config.js';
import { pricesOf } from '../lambda/upstreams/index.js';
import { serveGateway, startDemoSageMaker } from './serve.js';
import { ensureUsageTable } from './usage-table.js';

const { values } = parseArgs({
  options: {
    config: { type: 'string', short: 'c', default: process.env.SAGEGATE_CONFIG_FILE },
    port: { type: 'string', short: 'p', default: process.env.PORT ?? '8080' },
    host: { type: 'string', default: process.env.HOST ?? '127.0.0.1' },
    'drain-seconds': { type: 'string', default: process.env.SAGEGATE_DRAIN_SECONDS ?? '25' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log(
    [
      'usage: npm start -- [--config <sagegate.yaml | litellm_config.yaml>] [--port 8080] [--host 127.0.0.1] [--drain-seconds 25]',
      '  environment: SAGEGATE_CONFIG_FILE (a config file), SAGEGATE_CONFIG_YAML (the config itself), PORT, HOST,',
      '  SAGEGATE_DRAIN_SECONDS (how long open streams may finish after SIGTERM), SAGEGATE_KEYS_SECRET (the key store secret)',
    ].join('\n'),
  );
  process.exit(0);
}

// The AWS SDK's nine-line Node 20 notice, as one banner line instead (docs/wire-facts.md §12).
const oldNode = Number(process.versions.node.split('.')[0]) < 22 && process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === undefined;
if (oldNode) process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port: '${values.port}' is not a port number`);
  process.exit(2);
}

const drainSeconds = Number(values['drain-seconds']);
if (!Number.isFinite(drainSeconds) || drainSeconds < 0) {
  console.error(`--drain-seconds: '${values['drain-seconds']}' is not a number of seconds`);
  process.exit(2);
}

const inlineConfig = process.env.SAGEGATE_CONFIG_YAML;
const demo = !values.config && !inlineConfig;
try {
  const config =
    !values.config && inlineConfig
      ? parseConfig(inlineConfig, 'SAGEGATE_CONFIG_YAML')
      : await loadConfigFile(values.config ?? fileURLToPath(new URL('../examples/demo.yaml', import.meta.url)));
  for (const notice of configNotices(config)) console.warn(`notice: ${notice}`);
  // The key store secret, as the stack hands it to the Lambda function.
  const keysSecret = process.env.SAGEGATE_KEYS_SECRET;
  if (keysSecret) config.auth = { ...config.auth, keysSecret, disabled: false };
  const emulator = demo ? await startDemoSageMaker() : undefined;
  const created = config.usage.table ? await ensureUsageTable(config.usage.table) : false;
  const gateway = await serveGateway(config, { port, host: values.host });
  const banner = [
    ...(demo
      ? [
          `DEMO MODE: models 'sagegate-demo' (chat) and 'sagegate-demo-embed' (embeddings) run on a local SageMaker emulator (${emulator!.url}); they are stand-ins, not real models.`,
        ]
      : []),
    `models: ${[...new Set(config.models.map((m) => m.name))].join(', ')}`,
    ...(config.auth.disabled || (!config.auth.masterKeySha256 && !config.auth.keysSecret)
      ? ['auth: OFF (any key is accepted). Set auth.master_key or general_settings.master_key to require one.']
      : []),
    ...(oldNode ? [`node ${process.versions.node}: Node 22 or newer is recommended (AWS SDK releases after January 2027 need it)`] : []),
    ...usageBanner(config, created),
    `sagegate listening on ${gateway.url}/v1`,
  ];
  console.log(banner.join('\n'));
  // SIGTERM (ECS, Kubernetes, docker stop) and Ctrl-C drain: open answers may finish until the deadline,
  // then end with an error event. A second signal stops at once.
  let stopping = false;
  const stop = async () => {
    if (stopping) process.exit(1);
    stopping = true;
    await gateway.shutdown(drainSeconds * 1000);
    await emulator?.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `could not start: ${(error as Error).message}`);
  process.exit(1);
}

/** What the banner says about usage: where it is kept, and the gateway's budget. */
function usageBanner(config: GatewayConfig, created: boolean): string[] {
  const lines = [
    config.usage.table
      ? `usage: DynamoDB table ${config.usage.table}${created ? ' (created)' : ''}; budgets and limits are shared with every process using it`
      : 'usage: kept in memory (this process only; set usage.table for a DynamoDB table that processes share)',
  ];
  const budget = config.usage.budget;
  if (budget) {
    // Configured prices, or a hosted provider's list price (gpt-4, claude-3-opus, ... as seed 002 names them).
    const unpriced = config.models.every((m) => !pricesOf(m));
    lines.push(
      `budget: $${budget.maxBudget} per ${budget.duration ?? 'calendar month (1mo)'} for the whole gateway${unpriced ? ' (no model has prices: requests count tokens, not cost, so it is never reached)' : ''}`,
    );
  }
  return lines;
}
