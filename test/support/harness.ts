import OpenAI from 'openai';
import { parseConfig } from '../../config/load.js';
import type { GatewayOverrides } from '../../lambda/gateway.js';
import { SageMakerRuntimeEmulator } from '../../local/emulators/sagemaker-runtime.js';
import { type EmulatorCredentials, environmentCredentials } from '../../local/emulators/sigv4-check.js';
import { type LocalGateway, serveGateway } from '../../local/serve.js';

/** The API error a call through the official client ends in (fails the test if it succeeds). */
export async function errorOf(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OpenAI.APIError) return error;
    throw error;
  }
  throw new Error('expected an API error');
}

/** A SageMaker emulator and a gateway in front of it, as `npm start -- --config` runs them. */
export interface Harness {
  emulator: SageMakerRuntimeEmulator;
  gateway: LocalGateway;
  /** The official client, retries off so that each test sees the gateway's first answer. */
  client(apiKey?: string): OpenAI;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

export async function startHarness(
  configYaml: string,
  setup: (emulator: SageMakerRuntimeEmulator) => void,
  options: { env?: NodeJS.ProcessEnv; overrides?: GatewayOverrides; sageMakerCredentials?: EmulatorCredentials } = {},
): Promise<Harness> {
  // Signatures are checked as SageMaker checks them, with the test credentials unless told otherwise.
  const emulator = new SageMakerRuntimeEmulator(undefined, options.sageMakerCredentials ?? environmentCredentials());
  setup(emulator);
  process.env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME = await emulator.start();
  const config = parseConfig(configYaml, 'test config', { ...process.env, ...options.env });
  const gateway = await serveGateway(config, { port: 0, overrides: options.overrides });
  return {
    emulator,
    gateway,
    client: (apiKey = 'sk-test') => new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries: 0 }),
    post: (path, body, headers = {}) =>
      fetch(`${gateway.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    async close() {
      await gateway.close();
      await emulator.stop();
    },
  };
}

/** The `data:` payloads of an SSE body, `[DONE]` included. */
export function sseEvents(text: string): string[] {
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => block.slice(6));
}
