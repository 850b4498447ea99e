import ipaddr from 'ipaddr.js';
import type { GatewayConfig } from '../lambda/config/config.js';

/** A model whose upstream only answers on the machine the config was written on. */
export interface UnreachableUpstream {
  /** The deployment's id. */
  model: string;
  host: string;
  /** Why the function cannot reach that host. */
  reason: string;
}

/**
 * The upstreams of a config that a Lambda function can never reach: loopback addresses, `localhost`
 * and Docker's names for the host machine, which work for `npm start` on a laptop and, in Lambda,
 * name the function's own sandbox or nothing at all.
 */
export function unreachableUpstreams(config: GatewayConfig): UnreachableUpstream[] {
  const found: UnreachableUpstream[] = [];
  for (const model of config.models) {
    if (model.provider !== 'openai') continue;
    const host = hostOf(model.baseUrl);
    const reason = host === undefined ? undefined : whyOnlyLocal(host);
    if (host !== undefined && reason) found.push({ model: model.id, host, reason });
  }
  return found;
}

/** The warning for one such upstream, naming the model and what to do instead. */
export function unreachableUpstreamMessage(upstream: UnreachableUpstream): string {
  return (
    `model '${upstream.model}' calls ${upstream.host}, which the deployed function cannot reach (${upstream.reason}): ` +
    'give its base_url an address reachable from AWS: a public HTTPS URL, or a private address in a VPC the function runs in ' +
    "(the config's deploy.vpc, or the construct's vpc prop)"
  );
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return undefined;
  }
}

function whyOnlyLocal(host: string): string | undefined {
  if (host === 'host.docker.internal' || host === 'gateway.docker.internal') return 'that name exists only inside Docker, for the machine running it';
  if (host === 'localhost' || host.endsWith('.localhost')) return "in Lambda, localhost is the function's own sandbox";
  const address = host.replace(/^\[(.*)\]$/, '$1');
  if (!ipaddr.isValid(address)) return undefined;
  const range = ipaddr.process(address).range();
  if (range === 'loopback') return "in Lambda, a loopback address is the function's own sandbox";
  if (range === 'unspecified') return 'an unspecified address names no machine to connect to';
  return undefined;
}
