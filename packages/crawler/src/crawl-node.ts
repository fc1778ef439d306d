import type { PeerInfo } from '@peerscope/engine';
import type { NetworkType } from './network-type.js';

/**
 * Where a node is in the crawl. `reachable` means a full handshake (never a bare TCP connect);
 * `skipped` addresses were recorded but are not dialled (outside --allow, inside --deny, or no IP:
 * Tor, I2P, names).
 */
export type NodeStatus = 'queued' | 'dialling' | 'reachable' | 'unreachable' | 'skipped';

/** How an address came to the crawl. */
export type NodeSource = 'seed' | 'dns' | 'learned';

/** One address the crawl knows of, and what dialling it found. Plain data (a snapshot is written from it). */
export interface CrawlNode {
  /** `host:port`, IPv6 in brackets: the key of the bitnodes snapshot. */
  address: string;
  host: string;
  port: number;
  network: NetworkType;
  source: NodeSource;
  status: NodeStatus;
  /** The node's version message, as the protocol reported it (protocol version, user agent, services, start height). */
  info?: PeerInfo;
  /** When the handshake completed (epoch ms). */
  connectedAt?: number;
  /** TCP connect time, ms. */
  connectMs?: number;
  /** From TCP connected to handshake done, ms. */
  handshakeMs?: number;
  /** Addresses it answered getaddr with (all of its addr/addrv2 messages). */
  addressesReturned?: number;
  /** The addresses themselves, when the crawl keeps them (`keepAddresses`). */
  addresses?: string[];
  /**
   * Unreachable: why the dial failed (the engine's typed reason: refused, timeout-connect, …).
   * Reachable: how the connection ended when not by us (a hostile node's bad-magic, …).
   * Skipped: why it was not dialled: 'not-allowed' (--allow/--deny), 'non-routable' (a private, reserved or,
   * on a public crawl, loopback address a peer gossiped), 'overlay' (Tor, I2P, CJDNS, names: no proxy here).
   */
  reason?: string;
  detail?: string;
}
