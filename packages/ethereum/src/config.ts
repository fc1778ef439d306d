import { randomBytes } from 'node:crypto';
import { hex } from './bytes.js';
import type { ChainParams } from './eth/chain.js';
import { network } from './eth/networks.js';
import { enodeAddress, parseEnode } from './enode.js';

/** What every Ethereum peer connection is configured with. Structured-clone-safe: it crosses into workers. */
export interface EthConfig {
  /** Our static node key, 32 bytes hex. */
  privateKey: string;
  clientId: string;
  chain: ChainParams;
  /** Advertised in Hello; 0 when we do not listen. */
  listenPort: number;
  /** Node ids (hex) of peers we dial, by `host:port`: RLPx encrypts the first packet to the recipient's key. */
  nodeIds: Record<string, string>;
  pingIntervalMs: number;
  /** eth versions offered, best first. */
  ethVersions: number[];
  /** Hang up on peers of another chain (different genesis or network id). */
  requireSameChain: boolean;
}

export const DEFAULT_PING_INTERVAL_MS = 15_000;
export const DEFAULT_CLIENT_ID = 'peerscope/0.1.0/nodejs';

export interface EthConfigOptions {
  network?: string | ChainParams;
  privateKey?: string;
  /** enode URLs of the peers this config will dial. */
  peers?: string[];
  clientId?: string;
  listenPort?: number;
  pingIntervalMs?: number;
  ethVersions?: number[];
  requireSameChain?: boolean;
}

export function ethConfig(options: EthConfigOptions = {}): EthConfig {
  const chain = typeof options.network === 'object' ? options.network : network(options.network ?? 'mainnet');
  const nodeIds: Record<string, string> = {};
  for (const url of options.peers ?? []) {
    const e = parseEnode(url);
    nodeIds[enodeAddress(e)] = e.id;
  }
  return {
    privateKey: options.privateKey ?? hex(new Uint8Array(randomBytes(32))),
    clientId: options.clientId ?? DEFAULT_CLIENT_ID,
    chain,
    listenPort: options.listenPort ?? 0,
    nodeIds,
    pingIntervalMs: options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS,
    ethVersions: options.ethVersions ?? [68, 67],
    requireSameChain: options.requireSameChain ?? true,
  };
}
