import { startBcoinNetwork, startBitcoinSimnet } from '@peerscope/simnet';

/** An address the demo nodes hand out that is not on loopback: shown as known, never dialled. */
const PUBLIC_DECOY = '203.0.113.50:18444';

export interface DemoNetworkOptions {
  /** bcoin full nodes to start, unless `sim` is set. */
  nodes: number;
  /** Instead of bcoin nodes, this many lightweight simulated peers on 127.1.x.y. */
  sim?: number;
  /** With `sim`: the fraction of peers that misbehave after their handshake. */
  hostileFraction: number;
  blockIntervalMs: number;
}

export interface DemoNetwork {
  /** The node the monitor starts from; it learns the others through getaddr. */
  seed: string;
  title: string;
  close(): Promise<void>;
}

/** A local Bitcoin regtest network that mines on a timer, with its first block already mined. */
export async function startDemoNetwork(o: DemoNetworkOptions): Promise<DemoNetwork> {
  const network = o.sim
    ? await startBitcoinSimnet({ peers: o.sim, laggingFraction: 0.1, hostileFraction: o.hostileFraction })
    : await startBcoinNetwork({ nodes: o.nodes, blockIntervalMs: o.blockIntervalMs, extraAddresses: [PUBLIC_DECOY] });
  // The simnet mines only when asked; bcoin networks mine on their own timer.
  const miner = o.sim ? setInterval(() => void network.mine(), o.blockIntervalMs) : undefined;
  const close = async () => {
    clearInterval(miner);
    await network.close();
  };
  try {
    await network.mine();
  } catch (err) {
    await close();
    throw err;
  }
  return {
    seed: network.addresses[0],
    title: o.sim ? `demo: bitcoin regtest, ${o.sim} simulated peers` : `demo: bitcoin regtest, ${o.nodes} bcoin nodes`,
    close,
  };
}
