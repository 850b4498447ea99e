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
  // A 1x1 PNG: the gateway fits it to the vision model, which says what it was shown.
  const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==';
  const seen = await client.chat.completions.create({
    model: 'sagegate-demo-vision',
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is this?' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } },
        ],
      },
    ],
  });
  expect(seen.choices[0]!.message.content).toMatch(/^I see 1 image: \d+x\d+ png/);
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

it('says when no AWS credentials are found: a warning at start, and the cause in each SageMaker call it fails', async () => {
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const dir = mkdtempSync('/tmp/sagegate-nocreds-');
  writeFileSync(`${dir}/one.yaml`, 'models:\n  - { name: chat, endpoint: some-endpoint, region: us-east-1 }\n');
  writeFileSync(`${dir}/empty`, '');
  const server = await start(['--config', `${dir}/one.yaml`], {
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_SESSION_TOKEN: '',
    AWS_PROFILE: '',
    AWS_SHARED_CREDENTIALS_FILE: `${dir}/empty`,
    AWS_CONFIG_FILE: `${dir}/empty`,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONTAINER_CREDENTIALS_FULL_URI: '',
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '',
    AWS_WEB_IDENTITY_TOKEN_FILE: '',
  });
  const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'any', maxRetries: 0 });
  const failure = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e);
  expect(failure.status).toBe(502);
  expect(failure.message).toContain('found no AWS credentials');
  expect(failure.message).toContain('AWS_ACCESS_KEY_ID');
  const deadline = Date.now() + 10_000;
  while (!server.output().includes('warning: no AWS credentials found') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(server.output()).toContain('warning: no AWS credentials found');
});

it('hints at the closest configured model names when one is mistyped', async () => {
  const server = await start([]);
  const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'any', maxRetries: 0 });
  const failure = await client.chat.completions.create({ model: 'SageGate-Demo', messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e);
  expect(failure.status).toBe(404);
  expect(failure.message).toContain("Did you mean 'sagegate-demo'");
});
