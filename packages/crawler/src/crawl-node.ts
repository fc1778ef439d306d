import type { DialNode } from './dial-crawl.js';
import type { NetworkType } from './network-type.js';

export type { NodeStatus } from './dial-crawl.js';

/** How an address came to the crawl. */
export type NodeSource = 'seed' | 'dns' | 'learned';

/**
 * One address the Bitcoin crawl knows of, and what dialling it found. Plain data (a snapshot is written
 * from it). `address` (`host:port`, IPv6 in brackets) is the key of the bitnodes snapshot; `info` is the
 * node's version message (protocol version, user agent, services, start height). A skipped node's
 * `reason`: 'not-allowed' (--allow/--deny), 'non-routable' (a private, reserved or, on a public crawl,
 * loopback address a peer gossiped), 'overlay' (Tor, I2P, CJDNS, names: no proxy here).
 */
export interface CrawlNode extends DialNode {
  network: NetworkType;
  source: NodeSource;
  /** Addresses it answered getaddr with (all of its addr/addrv2 messages). */
  addressesReturned?: number;
  /** The addresses themselves, when the crawl keeps them (`keepAddresses`). */
  addresses?: string[];
}
