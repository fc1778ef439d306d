import { isIPv4Mapped } from '../address.js';
import { MAX_ADDR, MAX_ADDRV2_SIZE } from '../limits.js';
import { PayloadReader } from '../reader.js';
import { addrv2Network, type AddrV2Network } from './addrv2.js';

/** The text of an address a GossipVisitor saw, as the decoders write it. */
export { addrv2Host as gossipHost } from './addrv2.js';

/**
 * One address of an addr or addrv2 payload, seen in place: its bytes are `buf[at, at + size)`.
 * `network` is the BIP155 name (addr's IPv4-mapped IPv6 entries are 'ipv4', at the last 4 bytes).
 */
export type GossipVisitor = (network: AddrV2Network, buf: Uint8Array, at: number, size: number, port: number) => void;

/**
 * Walks the entries of an addr or addrv2 payload without building an object, a BigInt or a string for
 * each: a crawl reads a 1,000-entry answer from every node, almost all addresses it already has, and
 * only new ones need text. The checks are the decoders' own (entry count ≤ MAX_ADDR, BIP155 sizes,
 * no trailing bytes); a violation throws the same malformed ProtocolError. Returns the entry count.
 */
export function scanGossip(command: 'addr' | 'addrv2', payload: Uint8Array, visit: GossipVisitor): number {
  const r = new PayloadReader(payload, command);
  const n = r.count(MAX_ADDR, 'address count');
  for (let i = 0; i < n; i++) {
    if (command === 'addr') {
      r.take(12, 'time and services');
      const at = r.take(16, 'ip');
      const port = r.u16be();
      if (isIPv4Mapped(r.buf, at)) visit('ipv4', r.buf, at + 12, 4, port);
      else visit('ipv6', r.buf, at, 16, port);
    } else {
      r.take(4, 'time');
      r.skipCompactSize('services');
      const id = r.u8('network id');
      const size = r.count(MAX_ADDRV2_SIZE, 'address length');
      const at = r.take(size, 'address');
      const port = r.u16be();
      const network = addrv2Network(id, size, i);
      if (network !== undefined) visit(network, r.buf, at, size, port);
    }
  }
  r.end();
  return n;
}
