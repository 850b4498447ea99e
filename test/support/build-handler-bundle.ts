import { mkdir, mkdtemp } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { GatewayConfig } from '../../lambda/config/config.js';
import { BUNDLE_ALIAS, bundleExternals, configDefine, HANDLER_ENTRY, NODE_BUNDLE } from '../../lib/bundling.js';
import { buildConsoleChunk } from '../../lib/console-build.js';

/**
 * Bundles the handler as the stack does (minified ESM, config inlined) and returns the file.
 * `entry` bundles another entry the same way (the benchmark's server).
 */
export async function buildHandlerBundle(config: GatewayConfig, entry = HANDLER_ENTRY): Promise<string> {
  // The Lambda handler's own substitutions; another entry (a server) keeps the SDK's whole credential chain.
  const alias = entry === HANDLER_ENTRY ? BUNDLE_ALIAS : {};
  // Inside the project, so the external `sharp` resolves from node_modules as it does beside the deployed bundle.
  const cache = fileURLToPath(new URL('../../node_modules/.cache/sagegate-bundles/', import.meta.url));
  await mkdir(cache, { recursive: true });
  const outfile = join(await mkdtemp(cache), 'index.mjs');
  await build({
    entryPoints: [entry],
    outfile,
    ...NODE_BUNDLE,
    sourcemap: false,
    define: configDefine(config),
    external: bundleExternals(config),
    alias,
    absWorkingDir: fileURLToPath(new URL('../../', import.meta.url)),
    logLevel: 'silent',
  });
  // The console beside the handler, as the stack's hook builds it (lib/sagegate-gateway.ts).
  if (config.ui) await buildConsoleChunk(dirname(outfile));
  return outfile;
}
