import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { fromHex, hex } from '../bytes.js';
import { parseEnode, type Enode } from '../enode.js';
import { keccak256, nodeKey, type KeyPair } from '../rlpx/crypto.js';
import { decodePacket, DISCV4_VERSION, encodePacket, expiration, type Discv4Packet, type NeighbourNode } from './packet.js';

export interface DiscoveredNode {
  /** 64-byte node id, hex. */
  id: string;
  host: string;
  udpPort: number;
  tcpPort: number;
}

/** What a crawl's query to one node brought back (Discv4.query). */
export interface NodeQuery {
  /** The node id that signed the pong; undefined when the node did not answer the ping. */
  id?: string;
  /** Neighbours over all targets, at most `limit` per target, as the node sent them (not deduplicated). */
  nodes: NeighbourNode[];
  /** Neighbours past the limit: counted, not kept. */
  dropped: number;
}

export interface Discv4Options {
  privateKey: string;
  /** Address to bind; '0.0.0.0' by default. */
  host?: string;
  port?: number;
  /** TCP port we advertise (0: we do not accept RLPx connections). */
  tcpPort?: number;
  /** Reply timeout per request. */
  timeoutMs?: number;
}

export interface LookupOptions {
  /** Random by default; pass our own id to find our neighbourhood. */
  target?: string;
  /** Stop after this many distinct nodes. */
  maxNodes?: number;
  /** Maximum findnode queries in the whole lookup. */
  maxQueries?: number;
  /** Parallel queries (Kademlia's α). */
  alpha?: number;
  /** Called for each new node as it is found. */
  onNode?: (node: DiscoveredNode) => void;
}

const NEIGHBOURS_WAIT_MS = 400;
/** A question that filled up: the rest of its flood must go quiet this long before the next is asked (else it would count as the next one's answer). */
const QUIET_MS = 50;
/** geth answers findnode only from bonded nodes: ones that answered its ping. It pings right after ours. */
const BOND_WAIT_MS = 300;

/** A discv4 endpoint (devp2p discv4.md): ping/pong to bond, findnode/neighbours to walk the table. */
export class Discv4 {
  private readonly socket: dgram.Socket;
  private readonly key: KeyPair;
  private readonly pendingPongs = new Map<string, (id: string) => void>();
  private readonly neighbourWaiters = new Map<string, (nodes: NeighbourNode[]) => void>();
  private readonly pingedUs = new Map<string, () => void>();
  private readonly timeoutMs: number;
  private readonly tcpPort: number;
  private closed = false;
  /** Every timer armed, and how to settle every wait in progress: close() clears and settles them all at once. */
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly settlers = new Set<() => void>();

  private constructor(socket: dgram.Socket, key: KeyPair, options: Discv4Options) {
    this.socket = socket;
    this.key = key;
    this.timeoutMs = options.timeoutMs ?? 1500;
    this.tcpPort = options.tcpPort ?? 0;
    socket.on('message', (msg, rinfo) => this.onMessage(new Uint8Array(msg), rinfo));
    socket.on('error', () => {});
  }

  static async bind(options: Discv4Options): Promise<Discv4> {
    const host = options.host ?? '0.0.0.0';
    const socket = dgram.createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(options.port ?? 0, host, () => resolve());
    });
    return new Discv4(socket, nodeKey(options.privateKey), options);
  }

  get id(): string {
    return hex(this.key.id);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Closes the socket; every wait in progress (ping, bond, neighbours) settles now as unanswered, and no timer stays armed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const settle of [...this.settlers]) settle();
    this.settlers.clear();
    this.socket.close();
  }

  /** A timer close() clears. */
  private after(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
    return t;
  }

  private cancel(t: NodeJS.Timeout | undefined): void {
    if (t === undefined) return;
    clearTimeout(t);
    this.timers.delete(t);
  }

  /** Resolves after `ms`, or at once when closed. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) return resolve();
      const settle = () => {
        this.settlers.delete(settle);
        this.cancel(t);
        resolve();
      };
      const t = this.after(ms, settle);
      this.settlers.add(settle);
    });
  }

  /** Pings and resolves with the node id that signed the pong (undefined on timeout). */
  async ping(host: string, udpPort: number): Promise<string | undefined> {
    const local = this.socket.address();
    const { hash } = this.send(host, udpPort, {
      type: 'ping', version: DISCV4_VERSION,
      // Receivers take our address from the UDP envelope (geth) or this field (ethereumjs); behind 0.0.0.0
      // we do not know our public address, and say so.
      from: { ip: local.address === '::' ? '::' : local.address, udpPort: local.port, tcpPort: this.tcpPort },
      to: { ip: host, udpPort, tcpPort: 0 },
      expiration: expiration(),
    });
    return this.wait<string>(this.pendingPongs, hash);
  }

  /** Asks a bonded node for the nodes closest to `target`; collects neighbours packets for a short while. */
  async findNode(host: string, udpPort: number, target: string): Promise<NeighbourNode[]> {
    return (await this.collectNeighbours(host, udpPort, target, Infinity)).nodes;
  }

  /**
   * A crawl's question to one node: bond (ping, then let it ping us back, as geth requires before it
   * answers), then findnode for each target in turn. `id` is the node id that signed the pong (undefined:
   * no answer, and nothing was asked; nothing is asked either when it is not the `expectId` given). At
   * most `limit` neighbours are kept per target; the rest of a flood is counted in `dropped`, never held.
   */
  async query(host: string, udpPort: number, targets: string[], o: { limit?: number; expectId?: string } = {}): Promise<NodeQuery> {
    const limit = o.limit ?? 16;
    const id = await this.bond(host, udpPort);
    const result: NodeQuery = { id, nodes: [], dropped: 0 };
    if (!id || (o.expectId !== undefined && id !== o.expectId)) return result;
    for (const [i, target] of targets.entries()) {
      if (this.closed) break;
      const { nodes, dropped } = await this.collectNeighbours(host, udpPort, target, limit, i < targets.length - 1);
      result.nodes.push(...nodes);
      result.dropped += dropped;
    }
    return result;
  }

  /**
   * One findnode question. `quiet`: another question follows, so a question that filled up waits until
   * the node's flood has gone quiet (its late packets are counted as dropped, not taken as the next
   * question's answer). Bounded: a node that never stops sending is cut off at a deadline; resolves
   * with what it has when the socket closes.
   */
  private collectNeighbours(host: string, udpPort: number, target: string, limit: number, quiet = false): Promise<{ nodes: NeighbourNode[]; dropped: number }> {
    const key = `${host}:${udpPort}`;
    const nodes: NeighbourNode[] = [];
    let dropped = 0;
    const deadline = Date.now() + this.timeoutMs + 2 * NEIGHBOURS_WAIT_MS;
    return new Promise((resolve) => {
      if (this.closed) return resolve({ nodes, dropped });
      const finish = () => {
        this.cancel(timer);
        this.settlers.delete(finish);
        if (this.neighbourWaiters.get(key) === take) this.neighbourWaiters.delete(key);
        resolve({ nodes, dropped });
      };
      let timer: NodeJS.Timeout | undefined = this.after(this.timeoutMs, finish);
      const take = (batch: NeighbourNode[]) => {
        const room = Math.max(0, limit - nodes.length);
        nodes.push(...batch.slice(0, room));
        dropped += Math.max(0, batch.length - room);
        this.cancel(timer);
        const full = nodes.length >= Math.min(16, limit);
        // Neighbours come in several packets (12 fit in 1280 bytes); wait briefly for the rest.
        const wanted = full ? (quiet ? QUIET_MS : 0) : NEIGHBOURS_WAIT_MS;
        timer = this.after(Math.max(0, Math.min(wanted, deadline - Date.now())), finish);
      };
      this.neighbourWaiters.set(key, take);
      this.settlers.add(finish);
      this.send(host, udpPort, { type: 'findnode', target, expiration: expiration() });
    });
  }

  /** Iterative Kademlia lookup from the bootnodes (enode URLs). */
  async lookup(bootnodes: Array<string | Enode>, options: LookupOptions = {}): Promise<DiscoveredNode[]> {
    const target = options.target ?? hex(new Uint8Array(randomBytes(64)));
    const targetHash = keccak256(fromHex(target));
    const maxNodes = options.maxNodes ?? 64;
    const maxQueries = options.maxQueries ?? 24;
    const alpha = options.alpha ?? 3;
    const found = new Map<string, DiscoveredNode>();
    const queried = new Set<string>();
    const candidates: DiscoveredNode[] = bootnodes.map((b) => {
      const e = typeof b === 'string' ? parseEnode(b) : b;
      return { id: e.id, host: e.host, udpPort: e.udpPort, tcpPort: e.port };
    });
    let queries = 0;
    while (!this.closed && queries < maxQueries && found.size < maxNodes) {
      const next = candidates
        .filter((c) => !queried.has(c.id) && c.id !== this.id)
        .sort((a, b) => compareDistance(targetHash, a.id, b.id))
        .slice(0, Math.min(alpha, maxQueries - queries));
      if (next.length === 0) break;
      queries += next.length;
      const results = await Promise.all(next.map(async (node) => {
        queried.add(node.id);
        return this.bondAndFind(node, target);
      }));
      for (const batch of results) {
        for (const n of batch) {
          if (n.id === this.id || found.has(n.id)) continue;
          const node = { id: n.id, host: n.ip, udpPort: n.udpPort, tcpPort: n.tcpPort };
          found.set(n.id, node);
          candidates.push(node);
          options.onNode?.(node);
          if (found.size >= maxNodes) break;
        }
      }
    }
    return [...found.values()];
  }

  private async bondAndFind(node: DiscoveredNode, target: string): Promise<NeighbourNode[]> {
    return (await this.bond(node.host, node.udpPort)) ? this.findNode(node.host, node.udpPort, target) : [];
  }

  /** Ping, then give the node a moment to ping us back (it answers findnode only once bonded). The pong's signer, or undefined. */
  private async bond(host: string, udpPort: number): Promise<string | undefined> {
    const key = `${host}:${udpPort}`;
    let pingedBack!: () => void;
    const back = new Promise<void>((resolve) => (pingedBack = resolve));
    this.pingedUs.set(key, pingedBack);
    try {
      const id = await this.ping(host, udpPort);
      // Both waits end at once when the socket closes (sleep), so nothing here outlives close().
      if (id && !this.closed) await Promise.race([back, this.sleep(BOND_WAIT_MS)]);
      return id;
    } finally {
      if (this.pingedUs.get(key) === pingedBack) this.pingedUs.delete(key);
    }
  }

  /** Waits for `map`'s entry under `key` to be called: its value, or undefined on timeout or close. */
  private wait<T>(map: Map<string, (value: T) => void>, key: string): Promise<T | undefined> {
    return new Promise((resolve) => {
      if (this.closed) return resolve(undefined);
      const settle = (value: T | undefined) => {
        this.cancel(timer);
        this.settlers.delete(unanswered);
        if (map.get(key) === settle) map.delete(key);
        resolve(value);
      };
      const unanswered = () => settle(undefined);
      const timer = this.after(this.timeoutMs, unanswered);
      this.settlers.add(unanswered);
      map.set(key, settle);
    });
  }

  private send(host: string, port: number, packet: Discv4Packet): { hash: string } {
    const { bytes, hash } = encodePacket(packet, this.key);
    if (!this.closed) this.socket.send(bytes, port, host);
    return { hash };
  }

  private onMessage(bytes: Uint8Array, rinfo: dgram.RemoteInfo): void {
    let decoded;
    try {
      decoded = decodePacket(bytes);
    } catch {
      return; // not for us, or forged: discovery drops bad packets silently
    }
    if (!decoded) return;
    const { packet, hash, nodeId } = decoded;
    if ('expiration' in packet && packet.expiration < Math.floor(Date.now() / 1000)) return;
    const key = `${rinfo.address}:${rinfo.port}`;
    switch (packet.type) {
      case 'ping':
        this.send(rinfo.address, rinfo.port, {
          type: 'pong', to: { ip: rinfo.address, udpPort: rinfo.port, tcpPort: packet.from.tcpPort },
          pingHash: hash, expiration: expiration(),
        });
        this.pingedUs.get(key)?.();
        return;
      case 'pong':
        this.pendingPongs.get(packet.pingHash)?.(nodeId);
        return;
      case 'neighbours':
        this.neighbourWaiters.get(key)?.(packet.nodes);
        return;
      case 'findnode':
        // We keep no routing table worth sharing: answer with no nodes.
        this.send(rinfo.address, rinfo.port, { type: 'neighbours', nodes: [], expiration: expiration() });
        return;
      default:
        return;
    }
  }
}

function compareDistance(targetHash: Uint8Array, a: string, b: string): number {
  const ha = keccak256(fromHex(a));
  const hb = keccak256(fromHex(b));
  for (let i = 0; i < 32; i++) {
    const da = ha[i] ^ targetHash[i];
    const db = hb[i] ^ targetHash[i];
    if (da !== db) return da - db;
  }
  return 0;
}
