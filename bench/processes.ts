import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { type Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The benchmark's processes' environment: test credentials, one region, no instance metadata lookups. */
export const benchEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
});

export type Trace = [event: 'in' | 'up' | 'down', epochMs: number][];

export interface Child {
  proc: ChildProcess;
  info: { url: string; [field: string]: unknown };
  /** The gateway's traces (bench/gateway-server.ts), as they arrive. */
  traces: Trace[];
  /** The gateway's memory reports (bench/gateway-server.ts, after a collection when run with --expose-gc). */
  memory: NodeJS.MemoryUsage[];
}

/** A benchmark process (a server that prints its URL as its first JSON line). */
export function child(args: string[], env: NodeJS.ProcessEnv): Promise<Child> {
  const proc = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const traces: Trace[] = [];
  const memory: NodeJS.MemoryUsage[] = [];
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout! });
    lines.once('line', (line) => {
      resolve({ proc, info: JSON.parse(line), traces, memory });
      // Keep draining (access logs); keep the gateway's traces.
      lines.on('line', (l) => {
        if (l.startsWith('{"trace"')) {
          const report = JSON.parse(l);
          traces.push(report.trace);
          memory.push(report.memory);
        }
      });
    });
    proc.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}`)));
  });
}

/**
 * The CPU time a process has had, in ms: the scheduler's nanosecond count of each of its threads
 * (`/proc/<pid>/task/<tid>/schedstat`), where the kernel keeps it; else utime + stime, which move in
 * 10 ms ticks (too coarse for a difference of tenths of a millisecond per pair over a few hundred pairs).
 */
export function cpuMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // a thread that ended between the listing and the read
    }
  }
  return ns > 0 ? ns / 1e6 : tickCpuMs(pid);
}

/** utime + stime of a process, in ms. */
function tickCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

export const peakRssMb = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

export const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

/** One chat completion posted to a local server with the bench key, read to its end; resolves with the status. */
export const postChat = (origin: string, body: string, agent: Agent): Promise<number> =>
  new Promise((resolve, reject) => {
    const url = new URL(origin);
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: '/v1/chat/completions',
        method: 'POST',
        agent,
        headers: { authorization: 'Bearer sk-bench', 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
