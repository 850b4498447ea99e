/**
 * `npm run build:server`: the Node server (`server/main.ts`, no demo and no emulator) bundled into one file,
 * `dist/server.mjs`, which the container runs with plain `node` (no tsx, no TypeScript, no
 * node_modules but sharp). The Dockerfile runs exactly this; the tests start the same bundle.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { BUNDLE_EXTERNALS, NODE_BUNDLE } from '../lib/bundling.js';
import { buildConsoleAssets, consoleAssetsDefine } from '../lib/console-build.js';

export const SERVER_ENTRY = fileURLToPath(new URL('../server/main.ts', import.meta.url));

export async function buildServer(outfile: string): Promise<string> {
  await build({
    entryPoints: [SERVER_ENTRY],
    outfile,
    ...NODE_BUNDLE,
    sourcemap: true,
    sourcesContent: false,
    // The console's assets, built now: its code is loaded on the first /ui request only (the config, read at start, may enable it).
    define: consoleAssetsDefine(await buildConsoleAssets()),
    // sharp is native: installed beside the bundle, loaded only when an image must change.
    external: BUNDLE_EXTERNALS,
    logLevel: 'warning',
  });
  return outfile;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outfile = process.argv[2] ?? fileURLToPath(new URL('../dist/server.mjs', import.meta.url));
  await buildServer(outfile);
  console.log(`built ${outfile}`);
}
