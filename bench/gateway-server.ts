/**
 * The gateway as the benchmark runs it: the same Hono app and Node server as `npm start`, bundled and
 * minified like the Lambda handler. Prints its URL, then serves until killed.
 *
 * For the benchmark's breakdown of the added first-token time, it notes (through Node's HTTP
 * diagnostics channels, nothing in the gateway's own code) when each request arrived, when its
 * SageMaker call went out and when SageMaker's answer came back; on SIGUSR2 it prints and forgets them,
 * with its memory.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { GatewayConfig } from '../lambda/config/config.js';
import { configureLog, logSettingsFrom } from '../lambda/core/log.js';
import { serveGateway } from '../local/serve.js';

const trace: [event: 'in' | 'up' | 'down', epochMs: number][] = [];
const now = () => performance.timeOrigin + performance.now();
subscribe('http.server.request.start', () => trace.push(['in', now()]));
subscribe('http.client.request.start', () => trace.push(['up', now()]));
subscribe('http.client.response.finish', () => trace.push(['down', now()]));
process.on('SIGUSR2', () => {
  // With --expose-gc, memory as it is after a full collection: what the process holds, not garbage.
  (globalThis as { gc?: () => void }).gc?.();
  console.log(JSON.stringify({ trace: trace.splice(0), memory: process.memoryUsage() }));
});

// LOG_LEVEL and SAGEGATE_SILENT as the container's entry reads them.
configureLog(logSettingsFrom(process.env));
const config: GatewayConfig = JSON.parse(process.env.SAGEGATE_CONFIG ?? '{}');
const gateway = await serveGateway(config, { port: 0 });
console.log(JSON.stringify({ url: gateway.url }));

// A clean exit on SIGTERM, so `node --cpu-prof` can write its profile.
process.once('SIGTERM', () => process.exit(0));
