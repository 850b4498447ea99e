import { build } from 'esbuild';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayConfig } from '../../lambda/config/types.js';
import { BUNDLE_BANNER, BUNDLE_MAIN_FIELDS, BUNDLE_TARGET, HANDLER_ENTRY, configDefine } from '../../lib/bundling.js';

/** Bundles the handler as the stack does (minified ESM, config inlined) and returns the file. */
export async function buildHandlerBundle(config: GatewayConfig): Promise<string> {
  const outfile = join(await mkdtemp(join(tmpdir(), 'sagegate-bundle-')), 'index.mjs');
  await build({
    entryPoints: [HANDLER_ENTRY],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    minify: true,
    sourcemap: false,
    mainFields: BUNDLE_MAIN_FIELDS,
    banner: { js: BUNDLE_BANNER },
    define: configDefine(config),
    logLevel: 'silent',
  });
  return outfile;
}
