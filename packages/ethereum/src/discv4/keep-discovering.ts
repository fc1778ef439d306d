import { Discv4, type DiscoveredNode } from './discovery.js';
import { enodeAddress } from '../enode.js';

export interface KeepDiscoveringOptions {
  privateKey: string;
  /** enode URLs to start each lookup from. */
  bootnodes: string[];
  /** Address the UDP socket binds to (default 0.0.0.0). */
  host?: string;
  /** Pause between lookups (default 30 s); the first runs at once. */
  intervalMs?: number;
  /** Nodes one lookup may find (default 64). */
  maxNodes?: number;
  /** New dialable nodes, as `nodeid@host:port` (what the engine's peer keeper dials, the id as key). */
  onFound(addresses: string[]): void;
}

export interface Discovering {
  stop(): Promise<void>;
}

/** How many already-found nodes seed the next lookup besides the bootnodes: walks reach new regions. */
const RESEED = 8;

/**
 * discv4 for a running monitor: a lookup toward a random target, then another every interval, each
 * reporting only nodes not reported before. Replacing failed peers needs a supply of new ones; one
 * lookup at start-up runs dry on a network where most nodes are full.
 */
export async function keepDiscovering(options: KeepDiscoveringOptions): Promise<Discovering> {
  const discovery = await Discv4.bind({ privateKey: options.privateKey, host: options.host ?? '0.0.0.0' });
  const seen = new Map<string, DiscoveredNode>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const round = async () => {
    const known = [...seen.values()].sort(() => Math.random() - 0.5).slice(0, RESEED);
    const starts = [...options.bootnodes, ...known.map((n) => `enode://${n.id}@${n.host}:${n.tcpPort}?discport=${n.udpPort}`)];
    const found = await discovery.lookup(starts, { maxNodes: options.maxNodes ?? 64 });
    const fresh = found.filter((n) => n.tcpPort > 0 && !seen.has(n.id));
    for (const n of fresh) seen.set(n.id, n);
    if (fresh.length > 0 && !stopped) options.onFound(fresh.map((n) => `${n.id}@${enodeAddress({ host: n.host, port: n.tcpPort })}`));
  };
  const loop = () => {
    if (stopped) return;
    running = round()
      .catch(() => {}) // an unreachable bootnode this round; the next round tries again
      .then(() => {
        if (!stopped) timer = setTimeout(loop, options.intervalMs ?? 30_000);
      });
  };
  loop();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      discovery.close();
      await running;
    },
  };
}
