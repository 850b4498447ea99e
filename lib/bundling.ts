import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import type { GatewayConfig } from '../lambda/config/config.js';
import { dialectRendersPrompt } from '../lambda/config/names.js';

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

/**
 * What every Node bundle of ours shares (the handler as the tests build it, the console module, the
 * container's server), so each differs from the deployed handler only where it says so.
 */
export const NODE_BUNDLE = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: BUNDLE_TARGET,
  minify: true,
  mainFields: BUNDLE_MAIN_FIELDS,
  banner: { js: BUNDLE_BANNER },
} as const satisfies BuildOptions;

/**
 * sharp is native (libvips): never bundled, installed beside the bundle for Lambda's linux-arm64
 * when a model takes images, and imported only when an image must be resized. The DynamoDB client
 * (stored responses, imported on first use only) is the Lambda runtime's own copy of SDK v3: bundled,
 * it would add 94 KB to every cold start's parse for a feature only gateways with a table use.
 */
export const BUNDLE_EXTERNALS = ['sharp'];

/**
 * Modules the Lambda bundle replaces: the SDK's credential chain by the environment's credentials,
 * all a Lambda function ever has (lambda/runtime/lambda/environment-credentials.ts). The path is the
 * project root's, as esbuild resolves it from there.
 */
export const BUNDLE_ALIAS: Record<string, string> = {
  '@aws-sdk/credential-provider-node': './lambda/runtime/lambda/environment-credentials.ts',
};

/**
 * The externals of one config's bundle: what no model of the config can load stays out (it is then
 * never imported): the STS client serves only models with a role to assume (about 45 KB), the Jinja
 * engine only prompt-string containers, whose chat templates it renders (about 54 KB).
 */
export function bundleExternals(config: GatewayConfig): string[] {
  const externals = [...BUNDLE_EXTERNALS];
  if (!config.models.some((m) => m.provider === 'sagemaker' && m.assumeRole)) externals.push('@aws-sdk/client-sts');
  if (!config.models.some((m) => dialectRendersPrompt(m.dialect))) externals.push('@huggingface/jinja');
  return externals;
}

export const needsImageLibrary = (config: GatewayConfig): boolean => config.models.some((m) => m.vision);

/** The sharp version in our lock file, so the deployed library is the tested one. */
export function sharpVersion(): string {
  return (JSON.parse(readFileSync(fileURLToPath(new URL('../node_modules/sharp/package.json', import.meta.url)), 'utf8')) as { version: string })
    .version;
}

/** Installs sharp's linux-arm64 build into the function's asset (npm picks the platform's binaries). */
export function installSharpCommand(outputDir: string): string {
  return `npm install --prefix "${outputDir}" --no-save --no-package-lock --no-audit --no-fund --os=linux --cpu=arm64 --libc=glibc sharp@${sharpVersion()}`;
}

/**
 * The validated config goes into the bundle as a JSON string literal: no YAML parsing at cold start.
 * SAGEGATE_BUNDLE tells the handler it is bundled (it then imports the DynamoDB SDK's parts from
 * their own modules: lambda/dynamodb/sdk-slim.ts).
 */
export function configDefine(config: GatewayConfig): Record<string, string> {
  return {
    'process.env.SAGEGATE_CONFIG': JSON.stringify(JSON.stringify(config)),
    'process.env.SAGEGATE_BUNDLE': '"1"',
    // The admin console is a file beside the handler, never part of its bundle (lambda/console/mount.ts).
    'process.env.SAGEGATE_CONSOLE_CHUNK': '"./console.mjs"',
  };
}
