/**
 * `npm start`: the gateway on http://127.0.0.1:8080.
 *   npm start                                 the embedded demo (no AWS account needed)
 *   npm start -- --config sagegate.yaml       your config, with your AWS credentials
 *   npm start -- --config x.yaml --port 9000 --host 0.0.0.0
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfigFile } from '../config/load.js';
import type { GatewayConfig } from '../lambda/core/config.js';
import { serveGateway, startDemoSageMaker } from './serve.js';
import { ensureUsageTable } from './usage-table.js';

const { values } = parseArgs({
  options: {
    config: { type: 'string', short: 'c' },
    port: { type: 'string', short: 'p', default: process.env.PORT ?? '8080' },
    host: { type: 'string', default: '127.0.0.1' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log('usage: npm start -- [--config <sagegate.yaml | litellm_config.yaml>] [--port 8080] [--host 127.0.0.1]');
  process.exit(0);
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port: '${values.port}' is not a port number`);
  process.exit(2);
}

const demo = !values.config;
const configFile = values.config ?? fileURLToPath(new URL('../examples/demo.yaml', import.meta.url));
try {
  const config = await loadConfigFile(configFile);
  const emulator = demo ? await startDemoSageMaker() : undefined;
  const created = config.usage.table ? await ensureUsageTable(config.usage.table) : false;
  const gateway = await serveGateway(config, { port, host: values.host });
  const banner = [
    ...(demo
      ? [
          `DEMO MODE: models 'sagegate-demo' (chat) and 'sagegate-demo-embed' (embeddings) run on a local SageMaker emulator (${emulator!.url}); they are stand-ins, not real models.`,
        ]
      : []),
    `models: ${config.models.map((m) => m.name).join(', ')}`,
    ...(config.auth.disabled || (!config.auth.masterKeySha256 && !config.auth.keysSecret)
      ? ['auth: OFF (any key is accepted). Set auth.master_key or general_settings.master_key to require one.']
      : []),
    ...usageBanner(config, created),
    `sagegate listening on ${gateway.url}/v1`,
  ];
  console.log(banner.join('\n'));
  const stop = async () => {
    await gateway.close();
    await emulator?.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
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
    const unpriced = config.models.every((m) => !m.prices);
    lines.push(
      `budget: $${budget.maxBudget} per ${budget.duration ?? 'calendar month (1mo)'} for the whole gateway${unpriced ? ' (no model has prices: requests count tokens, not cost, so it is never reached)' : ''}`,
    );
  }
  return lines;
}
