import { configureLog, logSettingsFrom } from '../../lambda/core/log.js';

// Every test talks to local emulators only: fake credentials, a fixed region, no instance metadata lookups.
process.env.AWS_ACCESS_KEY_ID = 'AKIDTESTTESTTEST';
process.env.AWS_SECRET_ACCESS_KEY = 'test-secret';
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
delete process.env.AWS_PROFILE;
delete process.env.AWS_SESSION_TOKEN;
// Quiet access logs in test output; log tests switch this off themselves.
process.env.SAGEGATE_SILENT ??= '1';
configureLog(logSettingsFrom(process.env));
