import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { loadConfigFile } from '../../config/load.js';
import { teiContainer } from '../../local/emulators/embedding-containers.js';
import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import { SageMakerRuntimeEmulator } from '../../local/emulators/sagemaker-runtime.js';
import { environmentCredentials } from '../../local/emulators/sigv4-check.js';
import { startServer, stopServers } from '../support/child-server.js';

/** The example configs the README names, at the paths its commands use (the repository's root). */
const root = fileURLToPath(new URL('../..', import.meta.url));

afterAll(stopServers);

it('the shipped sagegate.yaml and litellm_config.yaml load with the real loader', async () => {
  const native = await loadConfigFile(`${root}sagegate.yaml`);
  expect(native.models.map((m) => m.name)).toEqual(['qwen2.5-vl']);
  const litellm = await loadConfigFile(`${root}litellm_config.yaml`);
  expect(litellm.models.map((m) => [m.name, m.id, m.dialect])).toEqual([
    ['qwen2.5-vl', 'qwen2.5-vl', 'openai-chat'],
    ['deepseek-r1', 'deepseek-r1-a', 'openai-chat'],
    ['deepseek-r1', 'deepseek-r1-b', 'openai-chat'],
    ['bge-m3', 'bge-m3', 'tei'],
  ]);
  expect(litellm.router.fallbacks).toEqual({ 'deepseek-r1': ['qwen2.5-vl'] });
});

it('npm start -- --config litellm_config.yaml serves the example: its defaults, its model group and its embedding model', async () => {
  const emulator = new SageMakerRuntimeEmulator(undefined, environmentCredentials())
    .addEndpoint('my-qwen25-vl-endpoint', openAIChatContainer())
    .addEndpoint('deepseek-r1-distill-a', openAIChatContainer())
    .addEndpoint('deepseek-r1-distill-b', openAIChatContainer())
    .addEndpoint('my-bge-m3-endpoint', teiContainer());
  const endpoint = await emulator.start();
  try {
    // As the README runs it: the relative path, from the repository's root.
    const { url, output } = await startServer(['--config', 'litellm_config.yaml'], { AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: endpoint });
    expect(output()).toContain('models: qwen2.5-vl, deepseek-r1, bge-m3');
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'any', maxRetries: 0 });

    const vision = await client.chat.completions.create({ model: 'qwen2.5-vl', messages: [{ role: 'user', content: '你好！' }] });
    expect(vision.choices[0]!.message.content).toContain('你好！');
    expect(JSON.parse(emulator.invocations[0]!.body.toString())).toMatchObject({ temperature: 0.2, max_tokens: 500 });

    const { data, response } = await client.chat.completions
      .create({ model: 'deepseek-r1', messages: [{ role: 'user', content: 'hello' }] })
      .withResponse();
    expect(data.model).toBe('deepseek-r1');
    expect(['deepseek-r1-a', 'deepseek-r1-b']).toContain(response.headers.get('x-sagegate-deployment'));

    const embeddings = await client.embeddings.create({ model: 'bge-m3', input: ['東京', 'Tokyo'] });
    expect(embeddings.data).toHaveLength(2);
    expect(emulator.invocations.map((i) => i.endpoint)).toEqual(expect.arrayContaining(['my-qwen25-vl-endpoint', 'my-bge-m3-endpoint']));
  } finally {
    await emulator.stop();
  }
});
