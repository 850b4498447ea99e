// Imported by tests that read log lines: the quiet default of the test run (aws-env.ts) switched off.
import { configureLog } from '../../lambda/core/log.js';

process.env.SAGEGATE_SILENT = '0';
configureLog({ silent: false });
