import { ethConfig, type EthConfig, type EthConfigOptions } from './config.js';
import { Discv4, type DiscoveredNode } from './discv4/discovery.js';
import { enodeAddress, formatEnode, parseEnode } from './enode.js';
import { protocolModule } from './protocol.js';

export const DEFAULT_RLPX_PORT = 30303;

export interface EthereumMonitorOptions extends Omit<EthConfigOptions, 'peers'> {
  /** enode URLs to dial. Without them, peers are found by discv4 from the bootnodes. */
  seeds?: string[];
  /** enode URLs to start discovery from (default: the network's bootnodes). */
  bootnodes?: string[];
  /** How many nodes discovery should find (default 64). */
  discover?: number;
  /** Address discovery binds to (default 0.0.0.0). */
  discoveryHost?: string;
  /** Called for each node found, e.g. to show progress. */
  onDiscovered?: (node: DiscoveredNode) => void;
}

/** What the engine's createMonitor needs for Ethereum, plus the seeds (host:port) to dial. */
export interface EthereumChoice {
  protocol: string;
  config: EthConfig;
  defaultPort: number;
  dnsSeeds: string[];
  /** `nodeid@host:port` of each: what the peer keeper dials. */
  seeds: string[];
  /** enode URLs of the nodes found or given at start. */
  enodes: string[];
}

/**
 * Prepares an Ethereum monitor. RLPx cannot dial a bare host:port (the first packet is encrypted to
 * the node's key), so every dialable node's id goes into the config up front: the given seeds, or the
 * nodes a discv4 lookup from the bootnodes finds.
 */
export async function ethereum(options: EthereumMonitorOptions = {}): Promise<EthereumChoice> {
  const base = ethConfig({ ...options, peers: [] });
  let enodes = (options.seeds ?? []).map((s) => formatEnode(parseEnode(s)));
  if (enodes.length === 0) {
    const bootnodes = options.bootnodes?.length ? options.bootnodes : base.chain.bootnodes;
    const discovery = await Discv4.bind({ privateKey: base.privateKey, host: options.discoveryHost ?? '0.0.0.0' });
    try {
      const found = await discovery.lookup(bootnodes, { maxNodes: options.discover ?? 64, onNode: options.onDiscovered });
      enodes = found
        .filter((n) => n.tcpPort > 0)
        .map((n) => formatEnode({ id: n.id, host: n.host, port: n.tcpPort, udpPort: n.udpPort }));
    } finally {
      discovery.close();
    }
  }
  const config = ethConfig({ ...options, privateKey: base.privateKey, peers: enodes });
  return {
    protocol: protocolModule,
    config,
    defaultPort: DEFAULT_RLPX_PORT,
    dnsSeeds: [],
    // id@host:port: the peer keeper hands the id to the handshake (RLPx encrypts its auth to it).
    seeds: enodes.map((e) => {
      const enode = parseEnode(e);
      return `${enode.id}@${enodeAddress(enode)}`;
    }),
    enodes,
  };
}
