import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// bcoin is CommonJS and loads its native parts lazily; required on first use so importing simnet stays cheap.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let bcoinModule: any;
function bcoin() {
  bcoinModule ??= require('bcoin');
  return bcoinModule;
}

export interface BcoinNodeOptions {
  host?: string;
  port: number;
  network?: 'regtest' | 'main' | 'testnet';
  /** bcoin always runs its HTTP API; it listens here (default port + 1, on `host`). */
  httpPort?: number;
  /** Addresses this node hands out when asked with getaddr (host:port). */
  knownAddresses?: string[];
}

export interface BcoinNode {
  host: string;
  port: number;
  network: string;
  /** Mines one block on the node's tip; resolves with the new height. */
  mine(): Promise<number>;
  /** Mines a block without adding it (to hand the same block to other nodes). */
  mineBlock(): Promise<unknown>;
  /** Adds a block mined elsewhere; the node then announces it to its peers. */
  addBlock(block: unknown): Promise<number>;
  height(): number;
  /** The tip's hash as block explorers and RPC print it (byte-reversed hex). */
  tipHash(): string;
  /** Number of peers connected to this node right now. */
  peerCount(): number;
  close(): Promise<void>;
}

/**
 * A real bcoin full node, in memory, listening only on loopback and never dialling out (the recipe in
 * shared/PEERS.md: its DNS/UPnP discovery and outbound filling are stubbed, since they reach the internet).
 */
export async function startBcoinNode(options: BcoinNodeOptions): Promise<BcoinNode> {
  const b = bcoin();
  const host = options.host ?? '127.0.0.1';
  const network = options.network ?? 'regtest';
  const node = new b.FullNode({
    network, memory: true, workers: false, listen: true, host, port: options.port, publicHost: host, publicPort: options.port,
    seeds: [], nodes: [], maxOutbound: 1, upnp: false, logLevel: 'none',
    httpHost: host, httpPort: options.httpPort ?? options.port + 1, apiKey: 'peerscope', noAuth: false,
  });
  node.pool.discoverExternal = async () => {};
  node.pool.discoverSeeds = async () => {};
  node.pool.fillOutbound = () => {};
  // Loopback peers are "local" to bcoin and it would not gossip them; the test/demo wants them handed out.
  for (const address of options.knownAddresses ?? []) node.pool.hosts.add(b.net.NetAddress.fromHostname(address, node.network));
  await node.open();
  await node.connect();
  const miningKey = new b.KeyRing(b.hd.generate().derive(0).privateKey);
  const address = miningKey.getAddress('string', node.network.type);
  return {
    host,
    port: options.port,
    network,
    async mine() {
      const block = await node.miner.mineBlock(node.chain.tip, address);
      await node.chain.add(block);
      return node.chain.height;
    },
    mineBlock: () => node.miner.mineBlock(node.chain.tip, address),
    async addBlock(block) {
      await node.chain.add(block);
      return node.chain.height;
    },
    height: () => node.chain.height,
    tipHash: () => node.chain.tip.rhash(),
    peerCount: () => node.pool.peers.size(),
    async close() {
      await node.disconnect().catch(() => {});
      await node.close().catch(() => {});
    },
  };
}
