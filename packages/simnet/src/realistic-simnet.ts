import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { REGTEST } from '@peerscope/bitcoin';
import type { GossipOptions } from './addr-gossip.js';
import { portOrFree } from './free-port.js';
import { hostNodes, type NodeHost } from './node-host.js';
import { DEFAULT_BASE_HOST, isSteady, planNetwork, type NetworkPlanOptions, type PlannedNode } from './network-plan.js';
import type { FromShard, ShardStart, ToShard } from './shard-messages.js';

export interface RealisticSimnetOptions extends NetworkPlanOptions, GossipOptions {
  /**
   * Nodes per process (default 3,000: each node is one listening fd plus one per client, and a
   * process has 20,000). A network this small or smaller runs in the caller's process.
   */
  perProcess?: number;
  /** Blocks on the chain at the start (default 100), so lagging nodes are visibly behind. */
  startHeight?: number;
  /** Mine a block this often (default: only when mine() is called). */
  blockIntervalMs?: number;
  /** How many seed addresses to return (default 3). */
  seedCount?: number;
}

export interface RealisticSimnet {
  /** `host:port` of a few steady nodes (honest, never churning) to start a crawl or monitor from. */
  seeds: string[];
  /** The plan: what every node looks like. */
  nodes: PlannedNode[];
  /** The default port most nodes listen on, and the others some do. */
  port: number;
  altPorts: number[];
  /** Processes hosting nodes (0 when the network runs in the caller's process). */
  processes: number;
  /** Wall-clock ms the network started at (churn schedules count from it). */
  startedAt: number;
  /** Height of the tip (each node reports tip − its lag once its propagation delay has passed). */
  height(): number;
  /** Mines `blocks` on every shard's chain; returns the new tip height. */
  mine(blocks?: number): number;
  /** Clients connected, over all nodes. */
  connections(): Promise<number>;
  close(): Promise<void>;
}

/** One slice of the network, in this process or in a child. */
interface Shard {
  mine(blocks: number, time: number): void;
  connections(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The built shard entry. Always the compiled file, even when the caller runs from TypeScript sources
 * (vitest, tsx): a plain `node` child cannot load .ts, and the built file has everything it needs.
 */
export const SHARD_ENTRY = fileURLToPath(new URL('../dist/simnet-shard.js', import.meta.url));

/**
 * A simulated Bitcoin regtest network that looks like the real one to a crawler: agents, versions,
 * services, heights and ports in mainnet's proportions, per-node latency and block propagation delay,
 * getaddr answers of up to 1,000 entries mixing live, stale, non-routable and overlay addresses, hostile
 * kinds by fraction, churn. Seeded: the same options give the same network. Large networks are split
 * over child processes of `perProcess` nodes; the promise resolves once every node listens.
 */
export async function startRealisticSimnet(options: RealisticSimnetOptions): Promise<RealisticSimnet> {
  const baseHost = options.baseHost ?? DEFAULT_BASE_HOST;
  const perProcess = options.perProcess ?? 3_000;
  if (!(Number.isInteger(perProcess) && perProcess >= 1)) throw new RangeError(`perProcess must be a positive integer, got ${perProcess}`);
  const gossip: GossipOptions = {
    addrPerGetaddr: options.addrPerGetaddr, staleShare: options.staleShare, nonRoutableShare: options.nonRoutableShare,
    overlayShare: options.overlayShare, duplicateShare: options.duplicateShare, poolPerNode: options.poolPerNode,
  };
  const startHeight = options.startHeight ?? 100;
  const choosePorts = options.port === undefined || options.altPorts === undefined;
  for (let attempt = 0; ; attempt++) {
    // Regtest's port and the three after it when free, so the same seed gives the same addresses run
    // after run; on a clash (another network on the same hosts), random free ports.
    const wanted = attempt === 0 ? [REGTEST.port, REGTEST.port + 1, REGTEST.port + 2, REGTEST.port + 3] : [0, 0, 0, 0];
    const port = options.port ?? (await portOrFree(baseHost, wanted[0]));
    const altPorts = options.altPorts ?? (await freePorts(baseHost, wanted.slice(1), port));
    const plan: NetworkPlanOptions = {
      seed: options.seed, nodes: options.nodes, baseHost, port, altPorts, altPortShare: options.altPortShare,
      latencyMs: options.latencyMs, propagationMs: options.propagationMs, laggingShare: options.laggingShare,
      maxLag: options.maxLag, hostile: options.hostile, churn: options.churn, software: options.software,
    };
    const nodes = planNetwork(plan);
    const startedAt = Date.now();
    try {
      const shards = await startShards(plan, nodes, { perProcess, gossip, startedAt, startHeight });
      return running(options, nodes, shards, { port, altPorts, startedAt, startHeight, forked: nodes.length > perProcess });
    } catch (err) {
      // Ports free on the base host can still be taken on another host of the range.
      if (!(choosePorts && attempt < 4 && /EADDRINUSE/.test((err as Error).message))) throw err;
    }
  }
}

/** Listens for every node: in this process when they fit in one, else in forked shards. Closes what started on failure. */
async function startShards(plan: NetworkPlanOptions, nodes: PlannedNode[], o: { perProcess: number; gossip: GossipOptions; startedAt: number; startHeight: number }): Promise<Shard[]> {
  const shards: Shard[] = [];
  try {
    if (nodes.length <= o.perProcess) {
      shards.push(inProcess(await hostNodes({ plan: nodes, from: 0, to: nodes.length, seed: plan.seed, gossip: o.gossip, startedAt: o.startedAt, startHeight: o.startHeight })));
      return shards;
    }
    const starts: Promise<Shard>[] = [];
    for (let from = 0; from < nodes.length; from += o.perProcess) {
      starts.push(forkShard({ type: 'start', plan, from, to: Math.min(nodes.length, from + o.perProcess), gossip: o.gossip, startedAt: o.startedAt, startHeight: o.startHeight }, shards));
    }
    const failed = (await Promise.allSettled(starts)).find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    return shards;
  } catch (err) {
    await Promise.all(shards.map((s) => s.close()));
    throw err;
  }
}

function running(options: RealisticSimnetOptions, nodes: PlannedNode[], shards: Shard[], o: { port: number; altPorts: number[]; startedAt: number; startHeight: number; forked: boolean }): RealisticSimnet {
  let height = o.startHeight;
  const mine = (blocks = 1) => {
    // One timestamp for every shard: block hashes cover it, and all shards must build the same chain.
    const time = Math.floor(Date.now() / 1000);
    for (const s of shards) s.mine(blocks, time);
    height += blocks;
    return height;
  };
  const miner = options.blockIntervalMs ? setInterval(() => mine(), options.blockIntervalMs) : undefined;
  let closing: Promise<void> | undefined;
  return {
    seeds: nodes.filter(isSteady).slice(0, options.seedCount ?? 3).map((n) => n.address),
    nodes,
    port: o.port,
    altPorts: o.altPorts,
    processes: o.forked ? shards.length : 0,
    startedAt: o.startedAt,
    height: () => height,
    mine,
    connections: async () => (await Promise.all(shards.map((s) => s.connections()))).reduce((a, b) => a + b, 0),
    close() {
      clearInterval(miner);
      closing ??= Promise.all(shards.map((s) => s.close())).then(() => {});
      return closing;
    },
  };
}

function inProcess(host: NodeHost): Shard {
  return { mine: (blocks, time) => host.mine(blocks, time), connections: async () => host.connections(), close: () => host.close() };
}

/** Free ports on `host`, `wanted` where free, none equal to `not` or to each other. */
async function freePorts(host: string, wanted: number[], not: number): Promise<number[]> {
  const out = new Set<number>();
  for (const w of wanted) {
    let p = await portOrFree(host, w);
    while (p === not || out.has(p)) p = await portOrFree(host, 0);
    out.add(p);
  }
  return [...out];
}

/**
 * Node flags minus `--conditions=source`: with it, the child would resolve @peerscope/* to TypeScript
 * sources it cannot load. Other flags (a preloaded loopback guard, say) carry over.
 */
function withoutSourceCondition(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (/^(--conditions|-C)=source$/.test(a)) continue;
    if ((a === '--conditions' || a === '-C') && argv[i + 1] === 'source') {
      i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

/** Forks one shard and resolves once all its nodes listen; `shards` gets it as soon as it exists, so a failure elsewhere can close it. */
function forkShard(start: ShardStart, shards: Shard[]): Promise<Shard> {
  if (!fs.existsSync(SHARD_ENTRY)) throw new Error(`the simnet shard entry is not built (${SHARD_ENTRY}): run npm run build`);
  const nodeOptions = process.env.NODE_OPTIONS && withoutSourceCondition(process.env.NODE_OPTIONS.split(/\s+/)).join(' ');
  const child: ChildProcess = fork(SHARD_ENTRY, [], {
    execArgv: withoutSourceCondition(process.execArgv), env: { ...process.env, NODE_OPTIONS: nodeOptions || undefined },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json',
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2_000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let nextId = 0;
  const waiting = new Map<number, (n: number) => void>();
  const tell = (m: ToShard) => {
    if (child.connected) child.send(m);
  };
  const shard: Shard = {
    mine: (blocks, time) => tell({ type: 'mine', blocks, time }),
    connections: () =>
      child.connected
        ? new Promise((resolve) => {
            const id = nextId++;
            waiting.set(id, resolve);
            tell({ type: 'connections', id });
          })
        : Promise.resolve(0),
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        tell({ type: 'close' });
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
    },
  };
  shards.push(shard);
  return new Promise((resolve, reject) => {
    const range = `nodes ${start.from}-${start.to - 1}`;
    child.on('message', (m: FromShard) => {
      if (m.type === 'listening') resolve(shard);
      else if (m.type === 'failed') reject(new Error(`simnet shard (${range}) failed: ${m.message}`));
      else if (m.type === 'connections') {
        waiting.get(m.id)?.(m.count);
        waiting.delete(m.id);
      }
    });
    child.once('exit', (code, signal) => {
      for (const w of waiting.values()) w(0);
      waiting.clear();
      reject(new Error(`simnet shard (${range}) exited (${signal ?? code}) before listening${stderr ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`));
    });
    child.send(start);
  });
}
