import { type ChildProcess, spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { lambdaRuntimeClient } from '../../scripts/lambda-runtime-client.js';
import { FUNCTION_NAME, type InvokeOptions, LambdaRuntimeApi } from './lambda-runtime-api.js';

/**
 * A Lambda execution environment's process: AWS's runtime interface client on Node 22, given only
 * what the Lambda service gives it (the Runtime API's address, the handler, the task root, the
 * function's name, version, memory, log group and stream, region and credentials) plus the
 * function's own environment, with the bundle's folder as the task root and working directory.
 */
export interface RuntimeProcess {
  child: ChildProcess;
  /** Everything it printed (stdout and stderr), in order. */
  readonly output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Stops the process (SIGSTOP), as Lambda freezes an idle environment; `thaw` resumes it. */
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
}

export interface RuntimeProcessOptions {
  /** `host:port` of the Runtime API. */
  runtimeApi: string;
  /** The bundle (index.mjs); its folder is the task root. */
  bundle: string;
  /** `file.export`; `index.handler` as the stack sets it. */
  handler?: string;
  /** The function's own variables (what the stack sets, and endpoint overrides for the emulators). */
  env?: Record<string, string | undefined>;
  memoryMb?: number;
}

/** Builds (or reuses) the client, which takes minutes the first time: call it from a long beforeAll. */
export const prepareRuntimeClient = () => lambdaRuntimeClient((line) => process.stdout.write(`lambda runtime client: ${line}\n`));

export async function startRuntimeProcess(options: RuntimeProcessOptions): Promise<RuntimeProcess> {
  const client = await lambdaRuntimeClient();
  const taskRoot = dirname(options.bundle);
  const env: Record<string, string> = {
    AWS_LAMBDA_RUNTIME_API: options.runtimeApi,
    _HANDLER: options.handler ?? 'index.handler',
    LAMBDA_TASK_ROOT: taskRoot,
    AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memoryMb ?? 512),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${FUNCTION_NAME}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${crypto.randomUUID().replaceAll('-', '')}`,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_DEFAULT_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? '',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? '',
    // No instance metadata here; Lambda has none either.
    AWS_EC2_METADATA_DISABLED: 'true',
    TZ: ':UTC',
    PATH: `${dirname(client.node)}:/usr/local/bin:/usr/bin:/bin`,
  };
  for (const [name, value] of Object.entries(options.env ?? {})) if (value !== undefined) env[name] = value;
  const child = spawn(client.node, [client.entry], { cwd: taskRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout!.on('data', (c: Buffer) => output.push(c.toString()));
  child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output,
    exited,
    freeze: () => child.kill('SIGSTOP'),
    thaw: () => child.kill('SIGCONT'),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface Lambda {
  api: LambdaRuntimeApi;
  runtime: RuntimeProcess;
  /** The Function URL in front of it; `invocations` lists what it invoked, in order. */
  functionUrl: Awaited<ReturnType<LambdaRuntimeApi['functionUrl']>>;
  stop(): Promise<void>;
}

/** A Runtime API, the runtime client running `bundle` against it, and a Function URL in front: one execution environment. */
export async function startLambda(options: Omit<RuntimeProcessOptions, 'runtimeApi'> & { invoke?: InvokeOptions }): Promise<Lambda> {
  await prepareRuntimeClient();
  const api = new LambdaRuntimeApi();
  await api.start();
  const runtime = await startRuntimeProcess({ ...options, runtimeApi: api.address });
  const functionUrl = await api.functionUrl(options.invoke);
  return {
    api,
    runtime,
    functionUrl,
    async stop() {
      await functionUrl.close();
      await runtime.stop();
      await api.stop();
    },
  };
}
