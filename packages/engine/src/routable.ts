import net from 'node:net';

/**
 * Ranges a public peer can never be reached at, as Bitcoin Core's CNetAddr::IsRoutable lists them
 * (netaddress.cpp): private and shared space, link-local, benchmarking, documentation, ORCHID, multicast,
 * unspecified and loopback. A peer that gossips one of these is wrong or lying; a crawler records the
 * address and never dials it.
 */
const NOT_ROUTABLE: [string, number, 'ipv4' | 'ipv6'][] = [
  ['0.0.0.0', 8, 'ipv4'], // "this network", unspecified
  ['10.0.0.0', 8, 'ipv4'], // RFC1918
  ['100.64.0.0', 10, 'ipv4'], // RFC6598 carrier-grade NAT
  ['127.0.0.0', 8, 'ipv4'], // loopback
  ['169.254.0.0', 16, 'ipv4'], // RFC3927 link-local
  ['172.16.0.0', 12, 'ipv4'], // RFC1918
  ['192.0.2.0', 24, 'ipv4'], // RFC5737 TEST-NET-1
  ['192.168.0.0', 16, 'ipv4'], // RFC1918
  ['198.18.0.0', 15, 'ipv4'], // RFC2544 benchmarking
  ['198.51.100.0', 24, 'ipv4'], // RFC5737 TEST-NET-2
  ['203.0.113.0', 24, 'ipv4'], // RFC5737 TEST-NET-3
  ['224.0.0.0', 3, 'ipv4'], // multicast, reserved, broadcast
  ['::', 128, 'ipv6'], // unspecified
  ['::1', 128, 'ipv6'], // loopback
  ['2001:10::', 28, 'ipv6'], // RFC4843 ORCHID
  ['2001:20::', 28, 'ipv6'], // RFC7343 ORCHIDv2
  ['2001:db8::', 32, 'ipv6'], // RFC3849 documentation
  ['fc00::', 7, 'ipv6'], // RFC4193 unique local (CJDNS's fc00::/8 is an overlay, not dialled as IP either)
  ['fe80::', 10, 'ipv6'], // RFC4862 link-local
  ['ff00::', 8, 'ipv6'], // multicast
];
const notRoutable = new net.BlockList();
for (const [address, prefix, family] of NOT_ROUTABLE) notRoutable.addSubnet(address, prefix, family);
const loopback = new net.BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

const familyOf = (host: string) => (net.isIPv4(host) ? 'ipv4' : net.isIPv6(host) ? 'ipv6' : undefined);

/** Whether an IP could be a public peer's (false for names and for the ranges above). */
export function isRoutable(host: string): boolean {
  const family = familyOf(host);
  return family !== undefined && !notRoutable.check(host, family);
}

export function isLoopback(host: string): boolean {
  const family = familyOf(host);
  return family !== undefined && loopback.check(host, family);
}
