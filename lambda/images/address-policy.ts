import ipaddr from 'ipaddr.js';

/**
 * Whether an outbound fetch may connect to an address: public unicast only. Loopback, private,
 * link-local (the instance metadata service at 169.254.169.254 included), unique-local, multicast,
 * carrier-grade NAT, reserved and unspecified ranges are refused; IPv4-mapped IPv6 is judged by its
 * IPv4 address; NAT64, 6to4 and Teredo (which tunnel to arbitrary IPv4) are refused outright.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}

/** `example.com` matches itself; `*.example.com` matches its subdomains. */
export function hostMatches(host: string, patterns: readonly string[]): boolean {
  const h = host.toLowerCase();
  return patterns.some((p) => {
    const pattern = p.toLowerCase();
    return pattern.startsWith('*.') ? h.endsWith(pattern.slice(1)) : h === pattern;
  });
}
