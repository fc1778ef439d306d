import { evenHostileMix, SIMNET_USER_AGENTS, startBcoinNetwork, startRealisticSimnet, type SoftwareShare } from '@peerscope/simnet';

/** An address the demo nodes hand out that is not on loopback: shown as known, never dialled. */
const PUBLIC_DECOY = '203.0.113.50:18444';

/**
 * The demo's simulated peers keep their /simnet agents (2:1:1, so the distribution a monitor shows is
 * uneven) so nobody mistakes a demo for a view of mainnet; everything else is the realistic simnet's.
 */
const DEMO_SOFTWARE: SoftwareShare[] = [...new Set(SIMNET_USER_AGENTS)].map((userAgent) => ({
  userAgent, version: 70016, family: 'core-v2', share: SIMNET_USER_AGENTS.filter((a) => a === userAgent).length,
}));

export interface DemoNetworkOptions {
  /** bcoin full nodes to start, unless `sim` is set. */
  nodes: number;
  /** Instead of bcoin nodes, this many lightweight simulated peers on 127.1.x.y. */
  sim?: number;
  /** With `sim`: the fraction of peers that misbehave after their handshake (spread over the cheap kinds). */
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
  if (o.sim) {
    const network = await startRealisticSimnet({
      seed: 1, nodes: o.sim, baseHost: '127.1.0.1', software: DEMO_SOFTWARE, blockIntervalMs: o.blockIntervalMs,
      hostile: o.hostileFraction > 0 ? evenHostileMix(o.hostileFraction) : undefined,
      // A demo's failures are its hostile peers' own (no addresses of nodes long gone), and its blocks
      // reach every peer within a snapshot interval: short latencies and propagation delays.
      staleShare: 0, latencyMs: [5, 60], propagationMs: [0, 50],
    });
    network.mine();
    return { seed: network.seeds[0], title: `demo: bitcoin regtest, ${o.sim} simulated peers`, close: () => network.close() };
  }
  const network = await startBcoinNetwork({ nodes: o.nodes, blockIntervalMs: o.blockIntervalMs, extraAddresses: [PUBLIC_DECOY] });
  try {
    await network.mine();
  } catch (err) {
    await network.close();
    throw err;
  }
  return { seed: network.addresses[0], title: `demo: bitcoin regtest, ${o.nodes} bcoin nodes`, close: () => network.close() };
}
