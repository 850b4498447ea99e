import { fileURLToPath } from 'node:url';
import type { GatewayConfig } from '../lambda/config/types.js';

/**
 * How the handler is bundled, shared by the CDK stack (NodejsFunction) and the tests that load the
 * real bundle, so what is tested is what is deployed.
 */
export const HANDLER_ENTRY = fileURLToPath(new URL('../lambda/index.ts', import.meta.url));

/** Lambda's `nodejs22.x`. */
export const BUNDLE_TARGET = 'node22';

/** ESM bundles still meet CommonJS code in dependencies that calls `require` for Node built-ins. */
export const BUNDLE_BANNER = "import { createRequire as __sgRequire } from 'node:module'; const require = __sgRequire(import.meta.url);";

/** Prefer dependencies' ES module builds: smaller bundles, and tree-shaking works on them. */
export const BUNDLE_MAIN_FIELDS = ['module', 'main'];

/** The validated config goes into the bundle as a JSON string literal: no YAML parsing at cold start. */
export function configDefine(config: GatewayConfig): Record<string, string> {
  return { 'process.env.SAGEGATE_CONFIG': JSON.stringify(JSON.stringify(config)) };
}
