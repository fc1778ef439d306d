import { startBcoinNode, type BcoinNode } from './bcoin-node.js';
import { freePort } from './free-port.js';

export interface BcoinNetworkOptions {
  /** How many nodes (each on its own 127.0.0.x host). */
  nodes: number;
  /** First loopback host number: nodes listen on 127.0.0.<firstHost>, <firstHost+1>, … */
  firstHost?: number;
  /** Extra addresses every node hands out on getaddr (e.g. a public one the monitor must never dial). */
  extraAddresses?: string[];
  /** Mine a block this often (ms); 0 = only when asked. */
  blockIntervalMs?: number;
}

export interface BcoinNetwork {
  nodes: BcoinNode[];
  /** `host:port` of every node. */
  addresses: string[];
  /** Mines a block on one node and hands it to all, so every node announces the same new tip. */
  mine(): Promise<number>;
  height(): number;
  /** The first node's tip hash (byte-reversed hex). */
  tipHash(): string;
  close(): Promise<void>;
}

/**
 * A local regtest network of real bcoin nodes on 127.0.0.x. Each knows the others' addresses (so a
 * monitor seeded with one learns the rest through getaddr) and shares every block mined.
 */
export async function startBcoinNetwork(options: BcoinNetworkOptions): Promise<BcoinNetwork> {
  const first = options.firstHost ?? 1;
  const hosts = Array.from({ length: options.nodes }, (_, i) => `127.0.0.${first + i}`);
  const port = await freePort(hosts[0], true);
  const addresses = hosts.map((h) => `${h}:${port}`);
  const nodes: BcoinNode[] = [];
  try {
    for (const host of hosts) {
      const others = addresses.filter((a) => !a.startsWith(`${host}:`));
      nodes.push(await startBcoinNode({ host, port, knownAddresses: [...others, ...(options.extraAddresses ?? [])] }));
    }
  } catch (err) {
    await Promise.all(nodes.map((n) => n.close()));
    throw err;
  }
  let turn = 0;
  let mining = Promise.resolve(0);
  const mine = () => {
    // One block at a time: a second block mined on a stale tip would fork the nodes.
    mining = mining.then(async () => {
      const miner = nodes[turn++ % nodes.length];
      const block = await miner.mineBlock();
      let height = 0;
      for (const n of nodes) height = await n.addBlock(block);
      return height;
    });
    return mining;
  };
  const timer = options.blockIntervalMs ? setInterval(() => void mine().catch(() => {}), options.blockIntervalMs) : undefined;
  return {
    nodes,
    addresses,
    mine,
    height: () => nodes[0].height(),
    tipHash: () => nodes[0].tipHash(),
    async close() {
      clearInterval(timer);
      await mining.catch(() => {});
      await Promise.all(nodes.map((n) => n.close()));
    },
  };
}
