import OpenAI from 'openai';
import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import { SageMakerRuntimeEmulator } from '../../local/emulators/sagemaker-runtime.js';
import { environmentCredentials } from '../../local/emulators/sigv4-check.js';
import { startServer as start, stopServers } from '../support/child-server.js';

afterAll(stopServers);

it('npm start alone serves the labelled demo model to the official client', async () => {
  const { url, output } = await start([]);
  expect(output()).toContain('DEMO MODE');
  expect(output()).toContain('usage: kept in memory (this process only');
  const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'anything', maxRetries: 0 });
  const stream = await client.chat.completions.create({ model: 'sagegate-demo', messages: [{ role: 'user', content: 'こんにちは' }], stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  expect(text).toContain('You said: "こんにちは"');
  const embeddings = await client.embeddings.create({ model: 'sagegate-demo-embed', input: ['東京', 'Tokyo'] });
  expect(embeddings.data.map((d) => d.embedding.length)).toEqual([8, 8]);
});

it('npm start -- --config serves a LiteLLM config with its master key', async () => {
  const emulator = new SageMakerRuntimeEmulator(undefined, environmentCredentials()).addEndpoint('your-vpc-endpoint-name', openAIChatContainer());
  const endpoint = await emulator.start();
  try {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/sagegate-cli-');
    writeFileSync(
      `${dir}/litellm_config.yaml`,
      `model_list:
  - model_name: "qwen-vlm-private"
    litellm_params:
      model: "sagemaker_chat/your-vpc-endpoint-name"
      aws_region_name: "eu-west-2"
      temperature: 0.2
      max_tokens: 500
general_settings:
  master_key: sk-1234
`,
    );
    const { url } = await start(['--config', `${dir}/litellm_config.yaml`], { AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: endpoint });
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sk-1234', maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'qwen-vlm-private', messages: [{ role: 'user', content: '你好！' }] });
    expect(completion.choices[0]!.message.content).toContain('你好！');
    expect(JSON.parse(emulator.invocations[0]!.body.toString())).toMatchObject({ temperature: 0.2, max_tokens: 500 });
    await expect(new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sk-wrong', maxRetries: 0 }).models.list()).rejects.toMatchObject({ status: 401 });
  } finally {
    await emulator.stop();
  }
});

it('refuses a bad config with the path of the mistake and exit code 1', async () => {
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const dir = mkdtempSync('/tmp/sagegate-cli-');
  writeFileSync(`${dir}/bad.yaml`, 'models:\n  - name: a\n    endpoint: "bad name"\n');
  const failure = await start(['--config', `${dir}/bad.yaml`]).catch((e) => e);
  expect(failure.code).toBe(1);
  expect(failure.output).toContain('models[0].endpoint: not a valid SageMaker endpoint name');
});

it('a mistyped option or one npm kept (no `--`) prints the usage and asks about `--`, without a stack trace', async () => {
  for (const args of [['--confg', 'x.yaml'], ['x.yaml']]) {
    const failure = await start(args).catch((e) => e);
    expect(failure.code).toBe(2);
    expect(failure.output).toContain('did you forget `--`?');
    expect(failure.output).toContain('usage: npm start -- [--config');
    expect(failure.output).not.toMatch(/ERR_PARSE_ARGS|\n\s+at /);
  }
});

it('never serves the demo where others could reach it: NODE_ENV=production or a non-loopback host need a config', async () => {
  const none = { SAGEGATE_CONFIG_FILE: '', SAGEGATE_CONFIG_YAML: '', SAGEMAKER_ENDPOINT_NAME: '' };
  for (const env of [
    { ...none, NODE_ENV: 'production' },
    { ...none, HOST: '0.0.0.0' },
  ]) {
    const failure = await start([], env).catch((e) => e);
    expect(failure.code).toBe(1);
    expect(failure.output).toContain('the demo (stand-in models, auth off) runs only locally');
    expect(failure.output).not.toMatch(/DEMO MODE|auth: OFF|listening/);
  }
});
