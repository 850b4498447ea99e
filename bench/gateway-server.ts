/**
 * The gateway as the benchmark runs it: the same Hono app, bundled and minified like the Lambda
 * handler, on Node's HTTP server. Prints its URL, then serves until killed.
 */
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { GatewayConfig } from '../lambda/config/types.js';
import { createGateway } from '../lambda/gateway.js';
import { createApp } from '../lambda/http/app.js';

const config: GatewayConfig = JSON.parse(process.env.SAGEGATE_CONFIG ?? '{}');
const app = createApp(createGateway(config));
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => {
  console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
});

// A clean exit on SIGTERM, so `node --cpu-prof` can write its profile.
process.once('SIGTERM', () => process.exit(0));
