import net from 'node:net';

/** Where an address lives, as BIP155 (addrv2) names the networks; 'name' for a host name. */
export type NetworkType = 'ipv4' | 'ipv6' | 'onion' | 'i2p' | 'cjdns' | 'name';

/** The network of a `host` (as the engine formats addresses learned from addr/addrv2). */
export function networkType(host: string): NetworkType {
  if (net.isIPv4(host)) return 'ipv4';
  if (net.isIPv6(host)) {
    // BIP155: CJDNS addresses are IPv6 in fc00::/8; the addr message cannot tell them apart, addrv2 can,
    // and the engine prints both as IPv6 text, so the prefix is the one test (Core does the same).
    return /^fc/i.test(host) ? 'cjdns' : 'ipv6';
  }
  if (host.endsWith('.onion')) return 'onion';
  if (host.endsWith('.i2p')) return 'i2p';
  return 'name';
}
