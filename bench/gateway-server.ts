/**
 * The gateway as the benchmark runs it: the same Hono app and Node server as `npm start`, bundled and
 * minified like the Lambda handler. Prints its URL, then serves until killed.
 */
import type { GatewayConfig } from '../lambda/config/types.js';
import { serveGateway } from '../local/serve.js';

const config: GatewayConfig = JSON.parse(process.env.SAGEGATE_CONFIG ?? '{}');
const gateway = await serveGateway(config, { port: 0 });
console.log(JSON.stringify({ url: gateway.url }));

// A clean exit on SIGTERM, so `node --cpu-prof` can write its profile.
process.once('SIGTERM', () => process.exit(0));
