import {
  MAX_ADDR, decodePayload, encodePayload, ipToString, type AddrV2Entry, type AddrV2Message, type TimedNetAddress,
} from '@peerscope/bitcoin';
import { isSteady, type PlannedNode } from './network-plan.js';
import { randomBytesFrom, randomInt, seededRandom, type Random } from './seeded-random.js';

/** What one getaddr answer is made of, beyond addresses of live nodes. */
export interface GossipOptions {
  /** Entries per answer (default and most: 1,000, Core's MAX_ADDR_TO_SEND). */
  addrPerGetaddr?: number;
  /** Share of addresses where nothing listens (a node long gone): a crawler's dial is refused. Default 0.1. */
  staleShare?: number;
  /** Share of private / link-local / CGNAT addresses a crawler must record but never dial. Default 0.05. */
  nonRoutableShare?: number;
  /** Share of Tor v3, I2P and CJDNS addresses: sent only in addrv2 (BIP155). Default 0.1. */
  overlayShare?: number;
  /** Share of entries repeated within one answer. Default 0.02. */
  duplicateShare?: number;
  /**
   * How many distinct addresses of each kind the whole network gossips, per live node: stale (default
   * 0.5: half as many gone nodes as live ones), non-routable (0.1) and overlay (0.3). Answers draw from
   * these pools, as real addrman answers repeat a finite set of addresses; a crawl meets each many times.
   */
  poolPerNode?: { stale?: number; nonRoutable?: number; overlay?: number };
}

/** An answer entry before it is written as addr or addrv2. */
export type GossipEntry = AddrV2Entry;

const OVERLAY = new Set<AddrV2Entry['network']>(['torv3', 'i2p', 'cjdns']);

/**
 * The entries node `index` answers getaddr with: deterministic from the seed, the plan and `timeBase`
 * (seconds), so the same network gives the same answers in every shard and every run.
 *
 * Nodes listed: first every node from index+1 up to the next steady one (not hostile, not churning),
 * so following answers from any steady seed reaches every node of the plan; then random nodes of the
 * whole plan (any shard), which keeps the hop count from one seed near log N.
 */
export function gossipEntries(plan: readonly PlannedNode[], index: number, seed: string | number, timeBase: number, o: GossipOptions = {}): GossipEntry[] {
  const pool = poolOf(plan, seed, timeBase, o);
  return gossipRefs(plan, index, seed, o).map((ref) => pool.entry(ref));
}

/**
 * The addrv2 answer of node `index` as its payload bytes: the same entries as gossipEntries, each
 * encoded once per process and copied into every answer that lists it. A crawl asks every node, and
 * encoding 1,000 entries anew for each answer cost the simnet more CPU than the crawler spent.
 */
export function addrv2Payload(plan: readonly PlannedNode[], index: number, seed: string | number, timeBase: number, o: GossipOptions = {}): Uint8Array {
  return poolOf(plan, seed, timeBase, o).payload(gossipRefs(plan, index, seed, o));
}

/**
 * Which addresses node `index` lists, as references into the network's address pool: live nodes
 * (0…N−1), then the stale, non-routable and overlay pools. Duplicates are repeated references.
 */
function gossipRefs(plan: readonly PlannedNode[], index: number, seed: string | number, o: GossipOptions): number[] {
  const random = seededRandom(seed, index, 0xadd7);
  const total = Math.min(o.addrPerGetaddr ?? MAX_ADDR, MAX_ADDR);
  const share = (s: number | undefined, d: number) => Math.round(total * (s ?? d));
  const stale = share(o.staleShare, 0.1);
  const nonRoutable = share(o.nonRoutableShare, 0.05);
  const overlay = share(o.overlayShare, 0.1);
  const duplicates = share(o.duplicateShare, 0.02);
  const liveWanted = Math.max(0, Math.min(total - stale - nonRoutable - overlay - duplicates, plan.length - 1));

  const picked = new Set<number>();
  for (let j = (index + 1) % plan.length; j !== index && picked.size < liveWanted; j = (j + 1) % plan.length) {
    picked.add(j);
    if (isSteady(plan[j])) break;
  }
  if (liveWanted > plan.length / 2) {
    // Most of the network: walk it in a random order instead of drawing until the set fills.
    const order = shuffle(random, plan.map((n) => n.index).filter((j) => j !== index && !picked.has(j)));
    for (const j of order.slice(0, liveWanted - picked.size)) picked.add(j);
  } else {
    while (picked.size < liveWanted) {
      const j = randomInt(random, plan.length);
      if (j !== index) picked.add(j);
    }
  }
  const refs = [...picked];
  for (let k = 0; k < duplicates && picked.size > 0; k++) refs.push(refs[randomInt(random, picked.size)]);
  const sizes = poolSizes(plan.length, o);
  let base = plan.length;
  for (const [count, size] of [[stale, sizes.stale], [nonRoutable, sizes.nonRoutable], [overlay, sizes.overlay]]) {
    for (let k = 0; k < count; k++) refs.push(base + randomInt(random, size));
    base += size;
  }
  return shuffle(random, refs);
}

interface AddressPool {
  entry(ref: number): GossipEntry;
  /** An addrv2 payload listing `refs`. */
  payload(refs: readonly number[]): Uint8Array;
}

/** Per plan, the pool's entries and their encodings, made when first listed (at most N × 1.9 of each). */
const POOLS = new WeakMap<readonly PlannedNode[], { key: string; pool: AddressPool }>();

/**
 * The address behind each reference: its time, services and address are properties of the address
 * (as in an addrman), so every answer that lists it carries the same entry.
 */
function poolOf(plan: readonly PlannedNode[], seed: string | number, timeBase: number, o: GossipOptions): AddressPool {
  const sizes = poolSizes(plan.length, o);
  const key = `${seed}|${timeBase}|${sizes.stale}|${sizes.nonRoutable}|${sizes.overlay}`;
  const cached = POOLS.get(plan);
  if (cached?.key === key) return cached.pool;
  const ports = portsOf(plan);
  const defaultPort = plan[0].port;
  const fullNode = 0x409n; // NETWORK|WITNESS|NETWORK_LIMITED
  const entries = new Map<number, GossipEntry>();
  // Every entry's addrv2 encoding, once, in one arena: offset and length by reference (-1: not yet).
  // Copying 1,000 of them byte by byte beats 1,000 TypedArray.set calls and a Map lookup each.
  const total = plan.length + sizes.stale + sizes.nonRoutable + sizes.overlay;
  const offsets = new Int32Array(total).fill(-1);
  const lengths = new Uint8Array(total);
  let arena = new Uint8Array(64 * 1024);
  let used = 0;
  const make = (ref: number): GossipEntry => {
    const random = seededRandom(seed, ref, 0x9051);
    const recently = timeBase - randomInt(random, 3 * 3600);
    if (ref < plan.length) {
      const n = plan[ref];
      return { time: recently, services: BigInt(n.services), network: 'ipv4', host: n.host, port: n.port };
    }
    let k = ref - plan.length;
    if (k < sizes.stale) return { time: timeBase - 86_400 - randomInt(random, 9 * 86_400), services: fullNode, network: 'ipv4', ...staleAddress(plan, ports, k) };
    k -= sizes.stale;
    if (k < sizes.nonRoutable) return { time: recently, services: fullNode, ...nonRoutableAddress(seededRandom(seed, k, 0x10ca1)), port: defaultPort };
    k -= sizes.nonRoutable;
    return { time: recently, services: fullNode, ...overlayAddress(seededRandom(seed, k, 0x0e1a), defaultPort) };
  };
  const encode = (ref: number) => {
    // One entry encoded as a one-entry addrv2 payload, without its count (a single 0x01 byte).
    const bytes = encodePayload({ command: 'addrv2', addresses: [pool.entry(ref)] }).subarray(1);
    if (used + bytes.length > arena.length) {
      const grown = new Uint8Array(arena.length * 2);
      grown.set(arena.subarray(0, used));
      arena = grown;
    }
    arena.set(bytes, used);
    offsets[ref] = used;
    lengths[ref] = bytes.length;
    used += bytes.length;
  };
  const pool: AddressPool = {
    entry(ref) {
      let e = entries.get(ref);
      if (!e) entries.set(ref, (e = make(ref)));
      return e;
    },
    payload(refs) {
      let size = 0;
      for (const ref of refs) {
        if (offsets[ref] < 0) encode(ref);
        size += lengths[ref];
      }
      // CompactSize of the count: one byte below 0xfd, else 0xfd and a little-endian u16 (MAX_ADDR is 1,000).
      const head = refs.length < 0xfd ? 1 : 3;
      const out = new Uint8Array(head + size);
      if (head === 1) out[0] = refs.length;
      else out.set([0xfd, refs.length & 0xff, refs.length >> 8]);
      let at = head;
      const bytes = arena;
      for (const ref of refs) {
        for (let i = offsets[ref], end = i + lengths[ref]; i < end; i++) out[at++] = bytes[i];
      }
      return out;
    },
  };
  POOLS.set(plan, { key, pool });
  return pool;
}

function poolSizes(nodes: number, o: GossipOptions): { stale: number; nonRoutable: number; overlay: number } {
  const size = (perNode: number | undefined, d: number) => Math.max(1, Math.round(nodes * (perNode ?? d)));
  return { stale: size(o.poolPerNode?.stale, 0.5), nonRoutable: size(o.poolPerNode?.nonRoutable, 0.1), overlay: size(o.poolPerNode?.overlay, 0.3) };
}

/**
 * Stale address k: a planned host on a port it does not listen on (or beyond the plan's ports), refused
 * like a node long gone. Distinct for every k below nodes × (ports − 1).
 */
function staleAddress(plan: readonly PlannedNode[], ports: readonly number[], k: number): { host: string; port: number } {
  const n = plan[k % plan.length];
  const others = ports.filter((p) => p !== n.port);
  const port = others.length > 0 ? others[Math.floor(k / plan.length) % others.length] : n.port === 65535 ? n.port - 1 : n.port + 1;
  return { host: n.host, port };
}

/** Every stale address the network gossips (a benchmark's floor dials them too, as the crawl does). */
export function staleAddresses(plan: readonly PlannedNode[], o: GossipOptions = {}): string[] {
  const ports = portsOf(plan);
  const out = new Set<string>();
  const pool = poolSizes(plan.length, o).stale;
  for (let k = 0; k < pool; k++) {
    const a = staleAddress(plan, ports, k);
    out.add(`${a.host}:${a.port}`);
  }
  return [...out];
}

/** The ports a plan uses (worked out once per address pool, not per answer). */
function portsOf(plan: readonly PlannedNode[]): number[] {
  return [...new Set(plan.map((n) => n.port))];
}

/** The legacy addr answer: only IPv4/IPv6 entries, since addr cannot carry Tor v3, I2P or CJDNS (BIP155). */
export function addrAnswer(entries: readonly GossipEntry[]): { command: 'addr'; addresses: TimedNetAddress[] } {
  return {
    command: 'addr',
    addresses: entries.filter((e) => !OVERLAY.has(e.network)).map(({ time, services, host, port }) => ({ time, services, host, port })),
  };
}

/** Private (RFC 1918), CGNAT (RFC 6598), link-local IPv4 and IPv6, and unique-local IPv6: never routable. */
function nonRoutableAddress(random: Random): Pick<AddrV2Entry, 'network' | 'host'> {
  const b = () => randomInt(random, 256);
  switch (randomInt(random, 7)) {
    case 0: return { network: 'ipv4', host: `10.${b()}.${b()}.${1 + randomInt(random, 254)}` };
    case 1: return { network: 'ipv4', host: `192.168.${b()}.${1 + randomInt(random, 254)}` };
    case 2: return { network: 'ipv4', host: `172.${16 + randomInt(random, 16)}.${b()}.${1 + randomInt(random, 254)}` };
    case 3: return { network: 'ipv4', host: `100.${64 + randomInt(random, 64)}.${b()}.${1 + randomInt(random, 254)}` };
    case 4: return { network: 'ipv4', host: `169.254.${b()}.${1 + randomInt(random, 254)}` };
    case 5: return { network: 'ipv6', host: ipv6With(random, [0xfe, 0x80]) };
    default: return { network: 'ipv6', host: ipv6With(random, [0xfd]) };
  }
}

/** A 16-byte address starting with `prefix`, the rest random, as RFC 5952 text. */
function ipv6With(random: Random, prefix: number[]): string {
  const bytes = randomBytesFrom(random, 16);
  bytes.set(prefix);
  return ipToString(bytes);
}

/**
 * A Tor v3, I2P or CJDNS address. The .onion and .b32.i2p text comes from the bitcoin package's own
 * addrv2 decoder (checksum and base32 as BIP155 and Tor's rend-spec-v3 define them). I2P's port is
 * always 0 (BIP155: I2P has no ports); CJDNS addresses are fc00::/8.
 */
function overlayAddress(random: Random, port: number): Pick<AddrV2Entry, 'network' | 'host' | 'port'> {
  const kind = randomInt(random, 10);
  if (kind >= 8) return { network: 'cjdns', host: ipv6With(random, [0xfc]), port };
  const network = kind < 6 ? 4 : 5; // Tor v3 is by far the commonest overlay
  const payload = new Uint8Array(1 + 4 + 1 + 1 + 1 + 32 + 2);
  payload[0] = 1; // one entry; time 0, services 0
  payload[6] = network;
  payload[7] = 32;
  payload.set(randomBytesFrom(random, 32), 8);
  const [decoded] = (decodePayload('addrv2', payload) as AddrV2Message).addresses;
  return { network: decoded.network, host: decoded.host, port: network === 5 ? 0 : port };
}

/** Fisher-Yates with our PRNG. */
function shuffle<T>(random: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
