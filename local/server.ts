/**
 * `npm start`: the gateway on http://127.0.0.1:8080.
 *   npm start                                 the embedded demo (no AWS account needed)
 *   npm start -- --config sagegate.yaml       your config, with your AWS credentials
 *   npm start -- --config x.yaml --port 9000 --host 0.0.0.0
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, configNotices, loadConfigFile } from '../config/load.js';
import { serveGateway, startDemoSageMaker } from './serve.js';

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

// The AWS SDK's nine-line Node 20 notice, as one banner line instead (docs/wire-facts.md §12).
const oldNode = Number(process.versions.node.split('.')[0]) < 22 && process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === undefined;
if (oldNode) process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port: '${values.port}' is not a port number`);
  process.exit(2);
}

const demo = !values.config;
const configFile = values.config ?? fileURLToPath(new URL('../examples/demo.yaml', import.meta.url));
try {
  const config = await loadConfigFile(configFile);
  for (const notice of configNotices(config)) console.warn(`notice: ${notice}`);
  const emulator = demo ? await startDemoSageMaker() : undefined;
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
