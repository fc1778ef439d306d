import { getNetwork, type NetworkName } from '../wire/networks.js';

/** Settings of our side of every Bitcoin connection. Structured-clone-safe (it crosses into workers). */
export interface BitcoinConfig {
  network: NetworkName;
  /** Network magic as a uint32 read little-endian. */
  magic: number;
  /** BIP14 user agent we announce. */
  userAgent: string;
  /** 70016: wtxidrelay (BIP339) is negotiated from this version on. */
  protocolVersion: number;
  /** Services we offer: none — peerscope watches, it does not serve blocks. */
  services: string;
  /** BIP37 relay flag in our version: false asks peers not to send us transaction invs. */
  relay: boolean;
  /** How often to ping a ready peer (and measure RTT). The first ping goes right after the handshake. */
  pingIntervalMs: number;
  /** A ping unanswered this long fails the peer (Core waits 20 minutes; a monitor wants to know sooner). */
  pingTimeoutMs: number;
  /**
   * Report each gossiped address once per session and thread, remembering up to this many (0, the
   * default: every entry of every addr message). A crawl turns it on: every node answers getaddr with up
   * to 1,000 addresses, mostly ones heard before, and sending each across to the main thread again cost
   * more than all the handshakes.
   */
  addressMemory?: number;
}

export const PEERSCOPE_VERSION = '0.1.0';
export const PROTOCOL_VERSION = 70016;

export function bitcoinConfig(options: Partial<Omit<BitcoinConfig, 'magic'>> = {}): BitcoinConfig {
  const network = getNetwork(options.network ?? 'mainnet');
  return {
    network: network.name,
    magic: network.magic,
    userAgent: options.userAgent ?? `/peerscope:${PEERSCOPE_VERSION}/`,
    protocolVersion: options.protocolVersion ?? PROTOCOL_VERSION,
    services: options.services ?? '0',
    relay: options.relay ?? false,
    pingIntervalMs: options.pingIntervalMs ?? 30_000,
    pingTimeoutMs: options.pingTimeoutMs ?? 120_000,
    ...(options.addressMemory ? { addressMemory: options.addressMemory } : {}),
  };
}
