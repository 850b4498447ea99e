/**
 * The Node server's entry: the gateway of a config on http://HOST:PORT, SIGTERM draining open answers.
 * The container image runs it bundled (`dist/server.mjs`); `npm start` runs it with a config, and
 * adds the demo only for a bare local run (local/server.ts). It holds no demo and no emulator.
 */
import { fileURLToPath } from 'node:url';
import { ConfigError, configNotices } from '../config/load.js';
import type { GatewayConfig } from '../lambda/config/config.js';
import { configureLog, logSettingsFrom } from '../lambda/core/log.js';
import { createGateway } from '../lambda/gateway.js';
import { serveNode } from '../lambda/runtime/node/serve.js';
import { missingCredentials, pricesOf } from '../lambda/upstreams/index.js';
import { ArgumentError, serverArguments, USAGE } from './arguments.js';
import { configFromEnvironment, withEnvironment } from './environment.js';
import { StartupError } from './startup-error.js';
import { ensureUsageTable } from './usage-table.js';

type Env = Record<string, string | undefined>;

/** A config for a run that names none (the local demo), with its banner lines and what to stop after. */
export interface FallbackConfig {
  config: GatewayConfig;
  banner: string[];
  stop(): Promise<void>;
}

export interface RunOptions {
  argv?: string[];
  env?: Env;
  /** Called when no config is named; without it, a config is required. */
  withoutConfig?: (host: string) => Promise<FallbackConfig>;
  /** Work before the gateway is made from the config (an unbundled local run builds the console's assets). */
  beforeServing?: (config: GatewayConfig) => Promise<void>;
}

export async function runServer({ argv = process.argv.slice(2), env = process.env, withoutConfig, beforeServing }: RunOptions = {}): Promise<void> {
  configureLog(logSettingsFrom(env));
  let args: ReturnType<typeof serverArguments>;
  try {
    args = serverArguments(argv, env);
  } catch (error) {
    if (!(error instanceof ArgumentError)) throw error;
    console.error(`${error.message}\n${USAGE}`);
    process.exit(2);
  }
  if (args.help) {
    console.log(USAGE);
    process.exit(0);
  }
  // The AWS SDK's nine-line Node 20 notice, as one banner line instead (docs/wire-facts.md §12).
  const oldNode = Number(process.versions.node.split('.')[0]) < 22 && env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === undefined;
  if (oldNode) process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

  try {
    const named = await configFromEnvironment(args.config, env);
    const fallback = named ? undefined : await noConfig(args.host, withoutConfig);
    const config = withEnvironment(named ?? fallback!.config, env);
    for (const notice of configNotices(config)) console.warn(`notice: ${notice}`);
    await beforeServing?.(config);
    const created = config.usage.table ? await ensureUsageTable(config.usage.table) : false;
    const gateway = createGateway(config);
    gateway.auth.warm();
    gateway.usage.warm();
    const server = await serveNode(gateway, { port: args.port, host: args.host });
    const banner = [
      ...(fallback?.banner ?? []),
      `models: ${[...new Set(config.models.map((m) => m.name))].join(', ')}`,
      ...(config.auth.disabled || (!config.auth.masterKeySha256 && !config.auth.keysSecret)
        ? ['auth: OFF (any key is accepted). Set auth.master_key or general_settings.master_key to require one.']
        : []),
      ...(oldNode ? [`node ${process.versions.node}: Node 22 or newer is recommended (AWS SDK releases after January 2027 need it)`] : []),
      ...usageBanner(config, created),
      ...(config.ui
        ? [
            `console: ${server.url}/ui (sign in with the master key or an admin key${config.ui.manageKeys ? '; manages keys' : '; read-only for keys'})`,
          ]
        : []),
      `sagegate listening on ${server.url}/v1`,
    ];
    console.log(banner.join('\n'));
    void missingCredentials(config.models).then((problem) => problem && console.warn(`warning: ${problem}`));
    // SIGTERM (ECS, Kubernetes, docker stop) and Ctrl-C drain: open answers may finish until the deadline,
    // then end with an error event. A second signal stops at once.
    let stopping = false;
    const stop = async () => {
      if (stopping) process.exit(1);
      stopping = true;
      await server.shutdown(args.drainSeconds * 1000);
      await fallback?.stop();
      process.exit(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  } catch (error) {
    console.error(error instanceof ConfigError || error instanceof StartupError ? error.message : `could not start: ${(error as Error).message}`);
    process.exit(1);
  }
}

async function noConfig(host: string, withoutConfig: RunOptions['withoutConfig']): Promise<FallbackConfig> {
  if (withoutConfig) return withoutConfig(host);
  throw new StartupError(
    'no config: name one with --config <file>, SAGEGATE_CONFIG_FILE (a path) or SAGEGATE_CONFIG_YAML (the config itself), or serve one SageMaker endpoint with SAGEMAKER_ENDPOINT_NAME',
  );
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
    // Configured prices, or a hosted provider's list price.
    const unpriced = config.models.every((m) => !pricesOf(m));
    lines.push(
      `budget: $${budget.maxBudget} per ${budget.duration ?? 'calendar month (1mo)'} for the whole gateway${unpriced ? ' (no model has prices: requests count tokens, not cost, so it is never reached)' : ''}`,
    );
  }
  return lines;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await runServer();
