#!/usr/bin/env node
// `npx sagegate ...`: runs the TypeScript CLI through tsx, from the project's own dependencies.
import { register } from 'tsx/esm/api';

// On Node 20 every AWS SDK client prints a nine-line notice (SDK releases after January 2027 need
// Node 22). The SDK's own switch silences it; one line says the same (docs/wire-facts.md §5, §12).
if (Number(process.versions.node.split('.')[0]) < 22 && process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === undefined) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  console.error(`sagegate: Node ${process.versions.node}; Node 22 or newer is recommended (AWS SDK releases after January 2027 need it)`);
}

register();
const { main } = await import('./sagegate.ts');
process.exitCode = await main(process.argv.slice(2));
