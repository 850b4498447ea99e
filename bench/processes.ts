import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export type Trace = [event: 'in' | 'up' | 'down', epochMs: number][];

export interface Child {
  proc: ChildProcess;
  info: { url: string; [field: string]: unknown };
  /** The gateway's traces (bench/gateway-server.ts), as they arrive. */
  traces: Trace[];
}

/** A benchmark process (a server that prints its URL as its first JSON line). */
export function child(args: string[], env: NodeJS.ProcessEnv): Promise<Child> {
  const proc = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const traces: Trace[] = [];
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout! });
    lines.once('line', (line) => {
      resolve({ proc, info: JSON.parse(line), traces });
      // Keep draining (access logs); keep the gateway's traces.
      lines.on('line', (l) => l.startsWith('{"trace"') && traces.push(JSON.parse(l).trace));
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
