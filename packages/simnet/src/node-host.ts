import net from 'node:net';
import { BitcoinCodec, REGTEST, type BitcoinMessage, type VersionMessage } from '@peerscope/bitcoin';
import { addrAnswer, addrv2Payload, gossipEntries, type GossipOptions } from './addr-gossip.js';
import { HANDSHAKE_BEHAVIOURS, misbehave } from './hostile-behaviour.js';
import { answerHostile } from './hostile-peer.js';
import { isDownAt, nextChurnChange, type PlannedNode } from './network-plan.js';
import { ClientState, clientMessages } from './inbound-client.js';
import { receiverOf, simVersion } from './sim-version.js';
import { VirtualChain } from './virtual-chain.js';

/** What a process needs to host a slice of a planned network; plain data, so it crosses IPC as is. */
export interface NodeHostOptions {
  plan: PlannedNode[];
  /** The slice of `plan` this process listens for: indexes from..to-1. */
  from: number;
  to: number;
  seed: string | number;
  gossip?: GossipOptions;
  /** Wall-clock ms at which the network started: churn phases and addr times count from it in every shard. */
  startedAt: number;
  /** Blocks on the chain before anyone connects. */
  startHeight: number;
}

export interface NodeHost {
  /** Appends blocks stamped `time` (seconds; the same in every shard so the chains agree); each node learns them after its propagation delay. */
  mine(blocks: number, time: number): void;
  height(): number;
  connections(): number;
  close(): Promise<void>;
}

/**
 * Largest frame a client may send us. Clients send version, ping, getaddr, getheaders (≤ 101 locator
 * hashes): 256 KiB is ample, and a hostile client's 4 MB frames are cut off instead of buffered.
 */
const MAX_CLIENT_PAYLOAD = 256 * 1024;
/**
 * Bytes queued for one client (delayed answers plus the socket's own buffer) above which we stop
 * reading from it, as Core stops reading from a peer whose send buffer is full (fPauseSend).
 */
const MAX_QUEUED_BYTES = 1024 * 1024;
/** BIP155: sendaddrv2 exists from protocol 70016 on (Core 0.21). */
const ADDRV2_VERSION = 70016;

/** One client connection to one simulated node: plain fields, and at most one timer per queued answer. */
class Client extends ClientState {
  /** Bytes of answers waiting for their latency. */
  queued = 0;
  /** Answers made in this turn, leaving together after the latency (one timer, one write). */
  batch: Uint8Array[] | undefined;
  /** A hostile node has written its hostile bytes: nothing honest may follow them on the wire. */
  hostileWritten = false;
  readonly codec = new BitcoinCodec({ magic: REGTEST.magic, maxPayload: MAX_CLIENT_PAYLOAD });

  constructor(socket: net.Socket, readonly node: SimNode) {
    super(socket, node.tip);
  }
}

interface SimNode {
  plan: PlannedNode;
  /** Height this node knows: the chain's minus its lag, once its propagation delay has passed. */
  tip: number;
  server?: net.Server;
  clients: Set<Client>;
  churnTimer?: NodeJS.Timeout;
}

/**
 * Listens for plan[from..to) in this process. Each node answers as a Core node does as the inbound side
 * (version, wtxidrelay, sendaddrv2, verack, sendheaders; pong; one getaddr answer per connection;
 * headers; notfound), with its planned agent, version, services and height, each answer written after
 * its planned latency. Hostile nodes play their kind; churning nodes close their listener and cut
 * their clients while down.
 */
export async function hostNodes(o: NodeHostOptions): Promise<NodeHost> {
  const chain = new VirtualChain();
  // Premined blocks ten minutes apart, ending at the start: the same times, so the same hashes, in every shard.
  const startSec = Math.floor(o.startedAt / 1000);
  for (let k = o.startHeight; k > 0; k--) chain.mine(startSec - k * 600);
  const encoder = new BitcoinCodec({ magic: REGTEST.magic });
  const encode = (m: BitcoinMessage) => encoder.encode(m).bytes;
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  const later = (ms: number, f: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!closed) f();
    }, ms);
    timers.add(t);
  };

  const nodes: SimNode[] = o.plan.slice(o.from, o.to).map((plan) => ({ plan, tip: Math.max(0, chain.height - plan.lag), clients: new Set() }));

  /**
   * Writes after the node's latency. The answers made in one turn (version, wtxidrelay, sendaddrv2,
   * verack) share one timer and leave in one write, as a node's answers to one read leave together;
   * equal delays keep the batches in order.
   */
  const write = (c: Client, bytes: Uint8Array) => {
    const ms = c.node.plan.latencyMs;
    if (ms <= 0) return void c.socket.write(bytes);
    c.queued += bytes.length;
    if (c.batch) return void c.batch.push(bytes);
    const batch = (c.batch = [bytes]);
    process.nextTick(() => {
      if (c.batch === batch) c.batch = undefined;
    });
    later(ms, () => {
      const size = batch.reduce((n, b) => n + b.length, 0);
      c.queued -= size;
      if (c.socket.destroyed || c.hostileWritten) return;
      c.socket.write(batch.length === 1 ? batch[0] : Buffer.concat(batch, size));
      if (c.socket.isPaused() && !c.misbehaving && !backlogged(c)) c.socket.resume();
    });
  };
  const send = (c: Client, m: BitcoinMessage) => write(c, encode(m));
  const backlogged = (c: Client) => c.queued + c.socket.writableLength > MAX_QUEUED_BYTES;

  const onVersion = (c: Client, theirs: VersionMessage) => {
    const p = c.node.plan;
    const ours = simVersion({ userAgent: p.userAgent, version: p.version, startHeight: c.node.tip, services: BigInt(p.services), receiver: receiverOf(c.socket) });
    if (p.hostile && HANDSHAKE_BEHAVIOURS.has(p.hostile)) {
      c.misbehaving = p.hostile !== 'verack-before-version';
      later(p.latencyMs, () => answerHostile(p.hostile!, theirs, ours, c.socket, (m) => c.socket.write(encode(m)), () => {}));
      return;
    }
    send(c, ours);
    // BIP339 and BIP155 announcements go between version and verack, as Core sends them.
    if (theirs.version >= 70016 && p.version >= 70016) send(c, { command: 'wtxidrelay' });
    if (p.version >= ADDRV2_VERSION) send(c, { command: 'sendaddrv2' });
    send(c, { command: 'verack' });
  };

  const onVerack = (c: Client) => {
    const p = c.node.plan;
    if (p.hostile && !HANDSHAKE_BEHAVIOURS.has(p.hostile)) {
      c.misbehaving = true;
      // After the client's own post-handshake messages are on the wire, as the single hostile peer does.
      later(p.latencyMs + 20, () => {
        if (c.socket.destroyed) return;
        c.hostileWritten = true;
        if (p.hostile === 'version-twice') c.socket.write(encode(simVersion({ userAgent: p.userAgent, version: p.version, startHeight: c.node.tip, services: BigInt(p.services) })));
        else misbehave(p.hostile!, c.socket, REGTEST.magicBytes);
      });
      return;
    }
    send(c, { command: 'sendheaders' });
  };

  const onMessage = (c: Client, m: BitcoinMessage) => {
    if ('raw' in m) return;
    switch (m.command) {
      case 'version':
        if (c.theirVersion) return; // Core ignores a second version
        c.theirVersion = true;
        return onVersion(c, m);
      case 'verack':
        if (c.verack) return;
        c.verack = true;
        return onVerack(c);
      case 'sendaddrv2':
        // BIP155: honoured only before verack, and only by a node that knows addrv2.
        if (!c.verack && c.node.plan.version >= ADDRV2_VERSION) c.addrv2 = true;
        return;
      case 'sendheaders':
        c.sendheaders = true;
        return;
      case 'ping':
        return send(c, { command: 'pong', nonce: m.nonce });
      case 'getaddr': {
        // Core answers one getaddr per connection and ignores the rest (privacy: no address-book scraping).
        if (c.answeredGetaddr) return;
        c.answeredGetaddr = true;
        if (c.addrv2) return send(c, { command: 'addrv2', raw: addrv2Payload(o.plan, c.node.plan.index, o.seed, startSec, o.gossip) });
        return send(c, addrAnswer(gossipEntries(o.plan, c.node.plan.index, o.seed, startSec, o.gossip)));
      }
      case 'getheaders':
        return send(c, { command: 'headers', headers: chain.headersAfter(m.locator, m.hashStop, c.node.tip) });
      case 'getdata':
        return send(c, { command: 'notfound', items: m.items });
      default:
        return;
    }
  };

  /** Tells one client about blocks up to its node's tip (encoded once per position for all clients). */
  const announceTo = (c: Client, cache: Map<string, Uint8Array>) => {
    if (!c.verack || c.misbehaving || c.node.tip <= c.announced) return;
    const { key, message } = chain.announcement(c.announced, c.node.tip, c.sendheaders);
    let bytes = cache.get(key);
    if (!bytes) cache.set(key, (bytes = encode(message)));
    write(c, bytes);
    c.announced = c.node.tip;
  };

  const accept = (node: SimNode) => (socket: net.Socket) => {
    const c = new Client(socket, node);
    node.clients.add(c);
    socket.on('error', () => {});
    socket.on('close', () => node.clients.delete(c));
    socket.on('drain', () => {
      if (socket.isPaused() && !c.misbehaving && !backlogged(c)) socket.resume();
    });
    if (node.plan.hostile === 'verack-before-version') later(node.plan.latencyMs, () => socket.write(encode({ command: 'verack' })));
    socket.on('data', (chunk: Buffer) => {
      if (c.misbehaving || node.plan.hostile === 'silent') return;
      for (const message of clientMessages(c.codec, socket, chunk)) {
        // A node that turns hostile at the verack answers nothing after it, even what came in the same
        // read (a getaddr behind the verack): what a client then sees is the misbehaviour, every time.
        if (c.misbehaving) break;
        onMessage(c, message);
      }
      // A block learned between our version and the client's verack: announce it once the handshake is done.
      if (c.verack && c.announced < node.tip) announceTo(c, new Map());
      if (backlogged(c)) socket.pause();
    });
  };

  const listen = (node: SimNode) =>
    new Promise<void>((resolve, reject) => {
      const server = net.createServer(accept(node));
      node.server = server;
      server.once('error', reject);
      server.listen({ port: node.plan.port, host: node.plan.host, backlog: 511 }, () => resolve());
    });
  const stopListening = (node: SimNode) => {
    const server = node.server;
    node.server = undefined;
    for (const c of node.clients) c.socket.destroy();
    return server ? new Promise<void>((r) => server.close(() => r())) : Promise.resolve();
  };

  /**
   * Follows a churning node's schedule: down = listener closed and clients cut; up = listening again.
   * Resolves once its first state is in place, so the network is as planned when startup resolves.
   */
  const churn = (node: SimNode) =>
    new Promise<void>((firstDone) => {
      const schedule = node.plan.churn!;
      const step = () => {
        if (closed) return firstDone();
        const down = isDownAt(schedule, Date.now() - o.startedAt);
        const change = down ? stopListening(node) : node.server ? Promise.resolve() : listen(node);
        // A port taken while the node was down: it stays down until its next turn.
        change.catch(() => {}).finally(() => {
          firstDone();
          if (!closed) node.churnTimer = setTimeout(step, Math.max(1, nextChurnChange(schedule, Date.now() - o.startedAt)));
        });
      };
      step();
    });

  try {
    await Promise.all(nodes.map((node) => (node.plan.churn ? churn(node) : listen(node))));
  } catch (err) {
    closed = true;
    await Promise.all(nodes.map(stopListening));
    throw err;
  }

  return {
    mine(blocks, time) {
      for (let i = 0; i < blocks; i++) chain.mine(time);
      const height = chain.height;
      // Each node learns the block after its own propagation delay; nodes of equal delay share a timer.
      const byDelay = new Map<number, SimNode[]>();
      for (const node of nodes) {
        const group = byDelay.get(node.plan.propagationMs);
        if (group) group.push(node);
        else byDelay.set(node.plan.propagationMs, [node]);
      }
      for (const [ms, group] of byDelay) {
        later(ms, () => {
          const cache = new Map<string, Uint8Array>();
          for (const node of group) {
            node.tip = Math.max(node.tip, height - node.plan.lag);
            for (const c of node.clients) announceTo(c, cache);
          }
        });
      }
    },
    height: () => chain.height,
    connections: () => nodes.reduce((sum, n) => sum + n.clients.size, 0),
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const node of nodes) clearTimeout(node.churnTimer);
      await Promise.all(nodes.map(stopListening));
    },
  };
}
