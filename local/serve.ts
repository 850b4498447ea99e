import type { GatewayConfig } from '../lambda/config/config.js';
import { createGateway, type Gateway, type GatewayOverrides } from '../lambda/gateway.js';
import { type NodeServer, serveNode } from '../lambda/runtime/node/serve.js';

export { startDemoSageMaker } from './demo.js';

export type LocalGateway = NodeServer<Gateway>;

/** A config's gateway on the Node server adapter, for local tools and tests. */
export function serveGateway(
  config: GatewayConfig,
  { port, host, overrides }: { port?: number; host?: string; overrides?: GatewayOverrides } = {},
): Promise<LocalGateway> {
  return serveNode(createGateway(config, overrides), { port, host });
}
