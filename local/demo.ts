import { fileURLToPath } from 'node:url';
import { loadConfigFile } from '../config/load.js';
import type { FallbackConfig } from '../server/main.js';
import { StartupError } from '../server/startup-error.js';
import { teiContainer } from './emulators/embedding-containers.js';
import { openAIChatContainer } from './emulators/openai-chat-container.js';
import { qwenVLContainer } from './emulators/qwen-vl-container.js';
import { SageMakerRuntimeEmulator } from './emulators/sagemaker-runtime.js';

/**
 * The demo's SageMaker: a local emulator hosting the `sagegate-demo` container, with the SDK pointed at
 * it through its standard variable. Demo credentials are set so real ones are never used for it.
 */
export async function startDemoSageMaker(tokenDelayMs = 25): Promise<SageMakerRuntimeEmulator> {
  const credentials = { accessKeyId: 'sagegate-demo', secretAccessKey: 'sagegate-demo' };
  const emulator = new SageMakerRuntimeEmulator(undefined, credentials);
  // A demo runs for as long as one likes: keeping every call would grow without bound.
  emulator.recordInvocations = false;
  emulator.addEndpoint('sagegate-demo', openAIChatContainer({ tokenDelayMs }));
  emulator.addEndpoint('sagegate-demo-vision', qwenVLContainer());
  emulator.addEndpoint('sagegate-demo-embed', teiContainer());
  await emulator.start();
  process.env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME = emulator.url;
  process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  process.env.AWS_REGION ??= 'us-east-1';
  return emulator;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * The embedded demo (two stand-in models on a local SageMaker emulator, auth off), for a bare local
 * `npm start` only: anywhere it could be reached from elsewhere (a host other than loopback,
 * `NODE_ENV=production`) a forgotten config must not become an open echo service.
 */
export async function demoConfig(host: string, env: Record<string, string | undefined> = process.env): Promise<FallbackConfig> {
  if (env.NODE_ENV === 'production' || !LOOPBACK.has(host)) {
    throw new StartupError(
      `no config, and the demo (stand-in models, auth off) runs only locally, on 127.0.0.1 without NODE_ENV=production (here: host ${host}${env.NODE_ENV ? `, NODE_ENV=${env.NODE_ENV}` : ''}). Name a config: --config <file>, SAGEGATE_CONFIG_FILE or SAGEGATE_CONFIG_YAML (or SAGEMAKER_ENDPOINT_NAME for one endpoint).`,
    );
  }
  const emulator = await startDemoSageMaker();
  const config = await loadConfigFile(fileURLToPath(new URL('../examples/demo.yaml', import.meta.url)));
  const banner = [
    `DEMO MODE: models 'sagegate-demo' (chat), 'sagegate-demo-vision' (images) and 'sagegate-demo-embed' (embeddings) run on a local SageMaker emulator (${emulator.url}); they are stand-ins, not real models.`,
  ];
  return { config, banner, stop: () => emulator.stop() };
}
