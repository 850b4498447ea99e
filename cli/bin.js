#!/usr/bin/env node
// `npx sagegate ...`: runs the TypeScript CLI through tsx, from the project's own dependencies.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./sagegate.ts');
process.exitCode = await main(process.argv.slice(2));
