import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** `npm start` as a user runs it: a child process whose banner names its URL. */
const root = fileURLToPath(new URL('../..', import.meta.url));
const children: ChildProcess[] = [];

export interface ChildServer {
  url: string;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  exit: Promise<number | null>;
  child: ChildProcess;
}

/** Starts `local/server.ts` with `args` on a free port; rejects with `{code, output}` if it exits first. */
export function startServer(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/server.ts', '--port', '0', ...args], {
    cwd: root,
    env: { ...process.env, SAGEGATE_SILENT: '1', ...env },
  });
  children.push(child);
  let output = '';
  const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      const match = /listening on (http:\/\/\S+)\/v1/.exec(output);
      if (match) resolve({ url: match[1]!, output: () => output, exit, child });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    exit.then((code) => reject(Object.assign(new Error(`exited ${code}: ${output}`), { code, output })));
  });
}

/** Stops every server this test file started. */
export function stopServers(): void {
  for (const child of children.splice(0)) child.kill();
}

/** The JSON log records in a server's output. */
export function logRecords(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
