import { parseConfig } from '../../config/load.js';
import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import { SageMakerRuntimeEmulator } from '../../local/emulators/sagemaker-runtime.js';
import { SecretsManagerEmulator } from '../../local/emulators/secrets-manager.js';
import { environmentCredentials } from '../../local/emulators/sigv4-check.js';
import { buildHandlerBundle } from '../support/build-handler-bundle.js';
import { LambdaRuntimeApi, parsePrelude } from '../support/lambda-runtime-api.js';
import { prepareRuntimeClient, type RuntimeProcess, startRuntimeProcess } from '../support/lambda-runtime-client.js';
import { createServer } from 'node:http';

const KEY = 'sk-ric-master-key-0123456789';
const sagemaker = new SageMakerRuntimeEmulator(undefined, environmentCredentials());
const secrets = new SecretsManagerEmulator();
const api = new LambdaRuntimeApi();
let ric: RuntimeProcess;

beforeAll(async () => {
  await prepareRuntimeClient();
  sagemaker.addEndpoint('chat-endpoint', openAIChatContainer({ tokenDelayMs: 40, reply: () => 'one two three four five' }));
  const smUrl = await sagemaker.start();
  const secUrl = await secrets.start();
  const arn = secrets.put('sagegate/api-keys', JSON.stringify({ master_key: KEY }));
  const config = parseConfig('models: [{name: chat, endpoint: chat-endpoint, region: us-east-1}]', 'ric', {});
  const bundle = await buildHandlerBundle(config);
  await api.start();
  ric = await startRuntimeProcess({ runtimeApi: api.address, bundle, env: { SAGEGATE_KEYS_SECRET: arn, AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: smUrl, AWS_ENDPOINT_URL_SECRETS_MANAGER: secUrl } });
}, 600_000);
afterAll(async () => { await ric?.stop(); await api.stop(); await sagemaker.stop(); await secrets.stop(); });

const chat = (extra = {}) => JSON.stringify({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'hi' }], ...extra });
const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
it('cut', async () => {
  sagemaker.addEndpoint('chat-endpoint', openAIChatContainer({ tokenDelayMs: 200, reply: () => 'a b c d e f g h i j k l m n o p' }));
  const fu = await api.functionUrl();
  const ac = new AbortController();
  const r = await fetch(`${fu.url}/v1/chat/completions`, { method: 'POST', headers, body: chat(), signal: ac.signal });
  const reader = r.body!.getReader();
  await reader.read(); await reader.read();
  const t0 = performance.now();
  ac.abort();
  const inv = fu.invocations[0]!;
  const out = await inv.finished;
  console.log('outcome', out.kind, performance.now() - t0, sagemaker.cancelledStreams);
  await new Promise(r => setTimeout(r, 1500));
  console.log('cancelled', sagemaker.cancelledStreams, 'exit', ric.child.exitCode, ric.child.signalCode, 'next', api.nextCalls.length);
  const r2 = await fetch(`${fu.url}/health`);
  console.log(r2.status, await r2.text());
  console.log(ric.output.join(''));
  await fu.close();
}, 20000);
