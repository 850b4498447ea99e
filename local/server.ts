/**
 * `npm start`: the gateway on http://127.0.0.1:8080.
 *   npm start                                 the embedded demo (no AWS account needed)
 *   npm start -- --config sagegate.yaml       your config, with your AWS credentials
 *   npm start -- --config x.yaml --port 9000 --host 0.0.0.0
 * With a config this is the container's server (server/main.ts) as it is; the demo and its emulator
 * are loaded only for a bare local run.
 */
import { runServer } from '../server/main.js';

await runServer({
  withoutConfig: async (host) => (await import('./demo.js')).demoConfig(host),
  // Unbundled, the console's assets are built now; the container's bundle carries them already.
  beforeServing: async (config) => {
    if (config.ui && !process.env.SAGEGATE_CONSOLE_ASSETS) await (await import('../lib/console-build.js')).provideConsoleAssets();
  },
});
