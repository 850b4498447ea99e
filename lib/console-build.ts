import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { ConsoleAssets } from '../lambda/console/static-assets.js';
import { NODE_BUNDLE } from './bundling.js';

/**
 * How the admin console is built, at bundle time only: the browser app (Preact and uPlot, with its
 * stylesheet) into content-hashed assets, and, for Lambda, the console's server code with those
 * assets inlined into a module of its own beside the handler (`console.mjs`), which the handler
 * imports on the first /ui request only.
 */
export const CLIENT_ENTRY = fileURLToPath(new URL('../lambda/console/client/main.tsx', import.meta.url));
export const CONSOLE_ENTRY = fileURLToPath(new URL('../lambda/console/console-app.ts', import.meta.url));
/** The console module's file name, beside the handler's `index.mjs` (named by configDefine in bundling.ts too). */
export const CONSOLE_CHUNK = 'console.mjs';

/** Browsers of the last few years: ES2020 modules and CSS that needs no prefixes. */
const BROWSERS = ['es2020', 'chrome100', 'firefox100', 'safari15'];

export async function buildConsoleAssets(): Promise<ConsoleAssets> {
  const out = await build({
    entryPoints: { app: CLIENT_ENTRY },
    bundle: true,
    write: false,
    outdir: '/console-assets',
    entryNames: '[name]-[hash]',
    format: 'esm',
    platform: 'browser',
    target: BROWSERS,
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'warning',
  });
  const files: Record<string, string> = {};
  for (const file of out.outputFiles) files[file.path.slice(file.path.lastIndexOf('/') + 1)] = file.text;
  const names = Object.keys(files);
  const script = names.find((n) => n.endsWith('.js'));
  const stylesheet = names.find((n) => n.endsWith('.css'));
  if (!script || !stylesheet) throw new Error(`the console build made ${names.join(', ')}: expected a script and a stylesheet`);
  return { files, script, stylesheet };
}

/** The assets as the console reads them (lambda/console/static-assets.ts), inlined into a bundle. */
export const consoleAssetsDefine = (assets: ConsoleAssets): Record<string, string> => ({
  'process.env.SAGEGATE_CONSOLE_ASSETS': JSON.stringify(JSON.stringify(assets)),
});

/** Builds `console.mjs` into `outdir`, as the handler's bundle is built; returns its path. */
export async function buildConsoleChunk(outdir: string): Promise<string> {
  const outfile = join(outdir, CONSOLE_CHUNK);
  await build({
    entryPoints: [CONSOLE_ENTRY],
    outfile,
    ...NODE_BUNDLE,
    sourcemap: false,
    define: { ...consoleAssetsDefine(await buildConsoleAssets()), 'process.env.SAGEGATE_BUNDLE': '"1"' },
    logLevel: 'warning',
  });
  return outfile;
}

/** For an unbundled server (`npm start`, the tests): the assets built now and handed over as a bundle would carry them. */
export async function provideConsoleAssets(): Promise<void> {
  process.env.SAGEGATE_CONSOLE_ASSETS ??= JSON.stringify(await buildConsoleAssets());
}

/** `tsx lib/console-build.ts <dir>`: the CDK app's hook after bundling the handler. */
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: tsx lib/console-build.ts <output directory>');
  console.log(`built ${await buildConsoleChunk(dir)}`);
}
