import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../config/load.js';
import { SageGateGateway } from '../../lib/sagegate-gateway.js';
import { unreachableUpstreams } from '../../lib/unreachable-upstreams.js';

/** Upstreams that answer `npm start` on a laptop and never a Lambda function: synth warns, pointing at deploy.vpc. */
const root = fileURLToPath(new URL('../..', import.meta.url));
const upstream = (name: string, base: string) => `  - { name: ${name}, provider: openai, base_url: "${base}", model: m }`;
const config = (...models: string[]) => parseConfig(`models:\n${models.join('\n')}\n`);

describe('unreachableUpstreams', () => {
  it.each([
    ['http://host.docker.internal:8000/v1', 'host.docker.internal'],
    ['http://localhost:11434/v1', 'localhost'],
    ['http://LOCALHOST./v1', 'localhost'],
    ['http://127.0.0.1:8080/v1', '127.0.0.1'],
    ['http://127.3.2.1/v1', '127.3.2.1'],
    ['http://[::1]:8000/v1', '[::1]'],
    ['http://0.0.0.0:8000/v1', '0.0.0.0'],
  ])('finds %s', (base, host) => {
    expect(unreachableUpstreams(config(upstream('local', base)))).toEqual([{ model: 'local', host, reason: expect.any(String) }]);
  });

  it.each(['https://api.example.com/v1', 'http://10.0.3.7:8000/v1', 'http://vllm.internal.example:8000/v1'])(
    'leaves %s alone (reachable from AWS, or from a VPC)',
    (base) => {
      expect(unreachableUpstreams(config(upstream('remote', base)))).toEqual([]);
    },
  );

  it('looks at OpenAI-compatible upstreams only, each once', () => {
    const found = unreachableUpstreams(
      config('  - { name: sm, endpoint: ep }', upstream('a', 'http://localhost:1/v1'), upstream('b', 'https://api.example.com/v1')),
    );
    expect(found.map((u) => u.model)).toEqual(['a']);
  });
});

it('the construct warns for each such model, naming it and deploy.vpc', () => {
  const stack = new Stack(new App({ outdir: mkdtempSync(join(tmpdir(), 'sagegate-unreachable-')) }), 'Local');
  new SageGateGateway(stack, 'Gateway', {
    config: config(upstream('ollama', 'http://host.docker.internal:11434/v1'), upstream('vllm', 'https://vllm.example.com/v1')),
  });
  const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('.*'));
  const ours = warnings.filter((w) => String(w.entry.data).includes('cannot reach'));
  expect(ours).toHaveLength(1);
  expect(ours[0]!.id).toBe('/Local/Gateway');
  expect(String(ours[0]!.entry.data)).toMatch(/model 'ollama' calls host\.docker\.internal, which the deployed function cannot reach/);
  expect(String(ours[0]!.entry.data)).toContain('deploy.vpc');
});

it('npx cdk synth prints the warning, and still synthesises', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sagegate-unreachable-'));
  const file = join(dir, 'sagegate.yaml');
  writeFileSync(file, `models:\n${upstream('ollama', 'http://localhost:11434/v1')}\n`);
  const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn('npx', ['cdk', 'synth', '--no-notices', '-q', '-c', `config=${file}`, '-o', join(dir, 'cdk.out')], {
      cwd: root,
      env: { ...process.env, CDK_DEFAULT_REGION: 'us-east-1', CDK_DEFAULT_ACCOUNT: '123456789012' },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => resolve({ code, output }));
  });
  expect(result.code).toBe(0);
  expect(result.output).toMatch(/model 'ollama' calls localhost, which the deployed function cannot reach/);
  expect(result.output).toContain('deploy.vpc');
}, 120_000);
