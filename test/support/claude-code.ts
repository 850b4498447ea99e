import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * Claude Code from npm, installed on first use under node_modules/.cache (its native binary is some
 * 400 MB, so it is no project dependency, as Portkey is not for the benchmark), and run headless
 * (`claude -p`) as a user points it at a gateway: ANTHROPIC_BASE_URL, ANTHROPIC_AUTH_TOKEN,
 * ANTHROPIC_MODEL, with a fresh HOME and working folder each run. It must not reach the internet:
 * nonessential traffic is off, and every proxy variable points at a trap that counts what it is asked.
 */
export const CLAUDE_CODE_VERSION = '2.1.332';
const dir = fileURLToPath(new URL('../../node_modules/.cache/claude-code/', import.meta.url));
const pkg = `${dir}node_modules/@anthropic-ai/claude-code`;
export const claudeBinary = `${pkg}/bin/claude.exe`;

function installedVersion(): string | undefined {
  try {
    return JSON.parse(readFileSync(`${pkg}/package.json`, 'utf8')).version;
  } catch {
    return undefined;
  }
}

/** The binary, installed if it is not (npm runs the package's postinstall, which puts the platform's binary in place). */
export async function installClaudeCode(): Promise<string> {
  if (installedVersion() !== CLAUDE_CODE_VERSION || !existsSync(claudeBinary)) {
    await new Promise<void>((resolve, reject) => {
      const p = spawn(
        'npm',
        ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', `@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}`],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let err = '';
      p.stderr.on('data', (d: Buffer) => (err += d));
      p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm install of Claude Code exited ${code}: ${err.slice(-2000)}`))));
    });
  }
  // The placeholder left when the platform's binary is missing prints instructions instead of a version.
  const { stdout } = await promisify(execFile)(claudeBinary, ['--version'], {
    env: { PATH: process.env.PATH, HOME: mkdtempSync(join(tmpdir(), 'claude-home-')) },
  });
  if (!stdout.includes(CLAUDE_CODE_VERSION)) throw new Error(`Claude Code did not install its native binary: ${stdout.slice(0, 500)}`);
  return claudeBinary;
}

/** A proxy that serves nothing and remembers every request and CONNECT: what Claude Code tried to reach beyond the gateway. */
export class ProxyTrap {
  readonly attempts: string[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.attempts.push(`${req.method} ${req.url}`);
      res.writeHead(502).end();
    });
    this.server.on('connect', (req, socket) => {
      this.attempts.push(`CONNECT ${req.url}`);
      socket.destroy();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export interface ClaudeRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The JSON records of `--output-format json` (one) or `stream-json` (one per line). */
  records: Record<string, unknown>[];
}

/** `claude -p <prompt> ...args` against `baseUrl`, bounded in time; only the environment given here reaches it. */
export async function claudePrint(
  binary: string,
  prompt: string,
  args: string[],
  options: { baseUrl: string; proxy: string; model: string; env?: Record<string, string> },
): Promise<ClaudeRun> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: mkdtempSync(join(tmpdir(), 'claude-home-')),
    ANTHROPIC_BASE_URL: options.baseUrl,
    ANTHROPIC_AUTH_TOKEN: 'sk-claude-code',
    ANTHROPIC_MODEL: options.model,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    HTTPS_PROXY: options.proxy,
    HTTP_PROXY: options.proxy,
    NO_PROXY: '127.0.0.1,localhost',
    ...options.env,
  };
  const child = spawn(binary, ['-p', prompt, ...args], { cwd: mkdtempSync(join(tmpdir(), 'claude-work-')), env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  const records = stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { code, stdout, stderr, records };
}
