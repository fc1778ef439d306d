import net from 'node:net';
import { isLoopback, isRoutable } from './routable.js';

/** Parses CIDRs like 127.0.0.0/8 or ::1/128 (a bare address means /32 or /128). Throws a one-line message. */
export function parseCidr(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const [address, prefixText, extra] = text.trim().split('/');
  const family = net.isIPv4(address) ? 'ipv4' : net.isIPv6(address) ? 'ipv6' : undefined;
  if (!family || extra !== undefined) throw new Error(`"${text}" is not a CIDR block (expected e.g. 127.0.0.0/8 or fd00::/8)`);
  const max = family === 'ipv4' ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!/^\d+$/.test(prefixText ?? String(max)) || prefix > max) throw new Error(`"${text}": prefix must be 0-${max}`);
  return { address, prefix, family };
}

/**
 * Which addresses may be dialled: when `allow` is non-empty an address must be in it; `deny` always wins.
 * Non-IP addresses (hostnames, Tor, I2P) are never dialled: they are recorded only.
 */
export class AddressFilter {
  private readonly allow = new net.BlockList();
  private readonly deny = new net.BlockList();
  private readonly hasAllow: boolean;

  constructor(allow: string[] = [], deny: string[] = []) {
    for (const c of allow) this.add(this.allow, c);
    for (const c of deny) this.add(this.deny, c);
    this.hasAllow = allow.length > 0;
  }

  private add(list: net.BlockList, cidr: string) {
    const { address, prefix, family } = parseCidr(cidr);
    list.addSubnet(address, prefix, family);
  }

  permits(host: string): boolean {
    const family = net.isIPv4(host) ? 'ipv4' : net.isIPv6(host) ? 'ipv6' : undefined;
    if (!family) return false;
    if (this.deny.check(host, family)) return false;
    return !this.hasAllow || this.allow.check(host, family);
  }

  /** A seed outside loopback: the network is a public one, where gossiped loopback addresses are lies. */
  private publicSeed = false;

  /** Notes an address the user gave (a seed, a bootnode): where it lives says which network this is. */
  seed(host: string): void {
    if (!isLoopback(host)) this.publicSeed = true;
  }

  /**
   * Whether to dial an address the user gave ('given': the lists alone) or a peer gossiped ('learned':
   * besides the lists it must be publicly routable, unless the allow list names it, a private network
   * crawled on purpose, or no seed was outside loopback, as in the demo and the tests).
   */
  verdict(host: string, source: 'given' | 'learned'): 'dial' | 'not-allowed' | 'non-routable' {
    if (!this.permits(host)) return 'not-allowed';
    if (source === 'given' || this.hasAllow || isRoutable(host) || (!this.publicSeed && isLoopback(host))) return 'dial';
    return 'non-routable';
  }
}
