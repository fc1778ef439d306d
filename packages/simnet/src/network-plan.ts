import { loopbackHosts } from './bitcoin-simnet.js';
import type { HostileBehaviour } from './hostile-behaviour.js';
import { checkMix, hostileKindAt, type HostileMix } from './hostile-mix.js';
import { MAINNET_SOFTWARE, pickSoftware, servicesFor, type SoftwareShare } from './node-population.js';
import { randomInt, seededRandom, type Random } from './seeded-random.js';

/** How a node goes down and comes back: up for `upMs`, down for `downMs`, repeating, shifted by `phaseMs`. */
export interface ChurnSchedule {
  upMs: number;
  downMs: number;
  /** Time into the first period at which the cycle starts (so churning nodes do not all drop at once). */
  phaseMs: number;
}

/** One node of the plan, as plain data (JSON- and IPC-safe: services is a number). */
export interface PlannedNode {
  index: number;
  host: string;
  port: number;
  /** `host:port` */
  address: string;
  userAgent: string;
  version: number;
  /** Service bits (all below 2^53, so a number). */
  services: number;
  /** Blocks behind the tip this node stays. */
  lag: number;
  /** Delay before each of its answers is written. */
  latencyMs: number;
  /** Delay after a block is mined before this node knows it and announces it. */
  propagationMs: number;
  hostile?: HostileBehaviour;
  churn?: ChurnSchedule;
}

export interface ChurnOptions {
  /** Fraction of nodes that go down and come back. */
  fraction: number;
  /** How long a churning node stays down each time. */
  downMs: number;
  /** How long it stays up between (default 4 × downMs). */
  upMs?: number;
}

export interface NetworkPlanOptions {
  seed: string | number;
  nodes: number;
  /** First loopback host; node i has the i-th from it (bitcoin-simnet's loopbackHosts). Default 127.100.0.1. */
  baseHost?: string;
  /** The network's one default port (most nodes). Default 18444 (regtest). */
  port?: number;
  /** The other ports some nodes listen on. Default [18445, 18446, 18447]. */
  altPorts?: number[];
  /** Share of nodes on an alternative port (default 0.15, about what crawlers see off 8333). */
  altPortShare?: number;
  /** Answer latency range [min, max] in ms, skewed towards min. Default [20, 200]. */
  latencyMs?: [number, number];
  /** Block propagation delay range [min, max] in ms, skewed towards min. Default [50, 2000]. */
  propagationMs?: [number, number];
  /** Share of nodes some blocks behind (default 0.1); they stay 1..maxLag behind. */
  laggingShare?: number;
  /** Default 6. */
  maxLag?: number;
  hostile?: HostileMix;
  churn?: ChurnOptions;
  /** Software and its shares (default MAINNET_SOFTWARE). */
  software?: readonly SoftwareShare[];
}

export const DEFAULT_BASE_HOST = '127.100.0.1';
export const DEFAULT_LATENCY_MS: [number, number] = [20, 200];
export const DEFAULT_PROPAGATION_MS: [number, number] = [50, 2000];

/** A value in [min, max], skewed towards min (u² puts half the nodes in the lowest quarter, as measured latencies are). */
const skewed = (random: Random, [min, max]: [number, number]) => Math.round(min + (max - min) * random() ** 2);

/**
 * Node i of the network seeded `o.seed`: each node draws from its own PRNG stream (seed, i), so any
 * process computes any node without the others, and adding nodes does not change the existing ones.
 */
export function planNode(o: NetworkPlanOptions, index: number, host: string): PlannedNode {
  const random = seededRandom(o.seed, index, 0x9e3779b9);
  const software = pickSoftware(random, o.software ?? MAINNET_SOFTWARE);
  const services = Number(servicesFor(software.family, random));
  const altPorts = o.altPorts ?? [18445, 18446, 18447];
  const port = random() < (o.altPortShare ?? 0.15) && altPorts.length > 0 ? altPorts[randomInt(random, altPorts.length)] : (o.port ?? 18444);
  const lag = random() < (o.laggingShare ?? 0.1) ? 1 + randomInt(random, o.maxLag ?? 6) : 0;
  const latencyMs = skewed(random, o.latencyMs ?? DEFAULT_LATENCY_MS);
  const propagationMs = skewed(random, o.propagationMs ?? DEFAULT_PROPAGATION_MS);
  const hostile = o.hostile ? hostileKindAt(o.hostile, random()) : undefined;
  let churn: ChurnSchedule | undefined;
  if (o.churn && random() < o.churn.fraction) {
    const upMs = o.churn.upMs ?? 4 * o.churn.downMs;
    churn = { upMs, downMs: o.churn.downMs, phaseMs: randomInt(random, upMs + o.churn.downMs) };
  }
  return {
    index, host, port, address: `${host}:${port}`, userAgent: software.userAgent, version: software.version, services,
    lag, latencyMs, propagationMs, ...(hostile ? { hostile } : {}), ...(churn ? { churn } : {}),
  };
}

/** The whole network, the same in every process for the same options. */
export function planNetwork(o: NetworkPlanOptions): PlannedNode[] {
  if (!Number.isInteger(o.nodes) || o.nodes < 1) throw new RangeError(`nodes must be a positive integer, got ${o.nodes}`);
  if (o.hostile) checkMix(o.hostile);
  for (const [name, range] of [['latencyMs', o.latencyMs], ['propagationMs', o.propagationMs]] as const) {
    if (range && !(range[0] >= 0 && range[1] >= range[0])) throw new RangeError(`${name}: [${range}] is not a range of ms`);
  }
  if (o.churn && !(o.churn.fraction >= 0 && o.churn.fraction <= 1 && o.churn.downMs > 0)) throw new RangeError('churn: fraction in [0, 1] and downMs > 0');
  const hosts = loopbackHosts(o.baseHost ?? DEFAULT_BASE_HOST, o.nodes);
  return hosts.map((host, i) => planNode(o, i, host));
}

/** A node that answers getaddr and stays up: what gossip chains through and seeds are chosen from. */
export const isSteady = (n: PlannedNode) => n.hostile === undefined && n.churn === undefined;

/** Whether a churning node is down `elapsedMs` after the network started. */
export function isDownAt(churn: ChurnSchedule, elapsedMs: number): boolean {
  const period = churn.upMs + churn.downMs;
  return (elapsedMs + churn.phaseMs) % period >= churn.upMs;
}

/** Ms from `elapsedMs` until a churning node next changes state. */
export function nextChurnChange(churn: ChurnSchedule, elapsedMs: number): number {
  const period = churn.upMs + churn.downMs;
  const at = (elapsedMs + churn.phaseMs) % period;
  return at < churn.upMs ? churn.upMs - at : period - at;
}
