import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SecretsManagerEmulator } from '../../local/emulators/secrets-manager.js';

/**
 * `cdk deploy` never puts an upstream key into the template: a config holding one (literal or
 * os.environ/) is refused with the exact command that stores it, after which the same config deploys
 * with the function granted that secret alone. Both commands run as a user runs them.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));

function run(command: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => resolve({ code, output }));
    child.stdin.end(input ?? '');
  });
}

it('refuses a config holding upstream keys until they are stored, then deploys it reading the secrets', async () => {
  const secrets = new SecretsManagerEmulator();
  const endpoint = await secrets.start();
  const dir = mkdtempSync(join(tmpdir(), 'sagegate-keys-'));
  const config = join(dir, 'litellm_config.yaml');
  writeFileSync(
    config,
    `model_list:
  - model_name: glm4-flash
    litellm_params: { model: glm-4-flash, api_base: "https://glm.example.com/v1", api_key: sk-glm-literal-0001 }
  - model_name: gpt-4
    litellm_params: { model: gpt-4, api_key: os.environ/TEST_OPENAI_KEY }
`,
  );
  const env = {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
    TEST_OPENAI_KEY: 'sk-openai-env-0002',
    CDK_DEFAULT_REGION: 'us-east-1',
    CDK_DEFAULT_ACCOUNT: '123456789012',
  };
  const synth = () => run('npx', ['cdk', 'synth', '--no-notices', '-q', '-c', `config=${config}`, '-o', join(dir, 'cdk.out')], env);
  try {
    const refused = await synth();
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain(`npx sagegate upstream-keys set glm4-flash --config ${config}`);
    expect(refused.output).toContain(`npx sagegate upstream-keys set gpt-4 --config ${config}`);
    expect(refused.output).not.toContain('sk-glm-literal-0001');

    for (const [deployment, key] of [
      ['glm4-flash', 'sk-glm-literal-0001'],
      ['gpt-4', 'sk-openai-env-0002'],
    ]) {
      const stored = await run('npx', ['sagegate', 'upstream-keys', 'set', deployment!, '--config', config], env, `${key}\n`);
      expect(stored).toMatchObject({ code: 0 });
      expect(stored.output).toContain(`stored the API key of '${deployment}'`);
      expect(stored.output).not.toContain(key!);
    }

    const deployed = await synth();
    expect(deployed.code).toBe(0);
    const template = readFileSync(join(dir, 'cdk.out', 'SageGate.template.json'), 'utf8');
    expect(template).not.toContain('sk-glm-literal-0001');
    expect(template).not.toContain('sk-openai-env-0002');
    const statements = Object.values(
      JSON.parse(template).Resources as Record<
        string,
        { Type: string; Properties: { PolicyDocument?: { Statement: { Sid?: string; Resource: unknown }[] } } }
      >,
    )
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r) => r.Properties.PolicyDocument!.Statement);
    const upstream = statements.find((s) => s.Sid === 'ReadUpstreamApiKeys');
    expect(upstream?.Resource).toEqual([
      expect.stringMatching(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:sagegate\/SageGate\/upstream\/glm4-flash-\w{6}$/),
      expect.stringMatching(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:sagegate\/SageGate\/upstream\/gpt-4-\w{6}$/),
    ]);
    expect(secrets.valueOf('sagegate/SageGate/upstream/gpt-4')).toBe('sk-openai-env-0002');
  } finally {
    await secrets.stop();
  }
}, 120_000);

it('without AWS credentials, still names the deployment and the command that stores its key, saying why it could not check', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sagegate-nocreds-'));
  const config = join(dir, 'litellm_config.yaml');
  writeFileSync(
    config,
    `model_list:
  - model_name: glm4-flash
    litellm_params: { model: glm-4-flash, api_base: "https://glm.example.com/v1", api_key: sk-glm-literal-0003 }
`,
  );
  // No credentials anywhere: none in the environment, no ~/.aws, no instance metadata to ask.
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(AWS_|CDK_DEFAULT_)/.test(name)));
  Object.assign(env, { HOME: dir, AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' });
  const refused = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn('npx', ['cdk', 'synth', '--no-notices', '-q', '-c', `config=${config}`, '-o', join(dir, 'cdk.out')], { cwd: root, env });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => resolve({ code, output }));
  });
  expect(refused.code).not.toBe(0);
  expect(refused.output).toContain("the API key of 'glm4-flash' cannot be deployed from the config file");
  expect(refused.output).toContain('could not be checked: no AWS credentials found');
  expect(refused.output).toContain(`npx sagegate upstream-keys set glm4-flash --config ${config}`);
  expect(refused.output).not.toContain('sk-glm-literal-0003');
}, 120_000);
