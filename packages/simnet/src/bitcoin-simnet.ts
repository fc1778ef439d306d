import net from 'node:net';
import {
  BitcoinCodec, REGTEST, Services, type BitcoinMessage,
} from '@peerscope/bitcoin';
import { freePort } from './free-port.js';
import { misbehave, type HostileBehaviour } from './hostile-behaviour.js';
import { CHEAP_HOSTILE_KINDS } from './hostile-mix.js';
import { ClientState, clientMessages } from './inbound-client.js';
import { receiverOf, simVersion } from './sim-version.js';
import { VirtualChain } from './virtual-chain.js';

export interface BitcoinSimnetOptions {
  /** How many simulated peers, each on its own loopback address. */
  peers: number;
  /** First address; the others count up from it, skipping x.x.x.0 and x.x.x.255. Default 127.1.0.1. */
  baseHost?: string;
  /** The port every peer listens on (default: one free on the base host). */
  port?: number;
  /** User agents, handed out round-robin: peer i has userAgents[i % length]. */
  userAgents?: string[];
  /** Fraction of peers (spread evenly) that stay one block behind the tip. Default 0. */
  laggingFraction?: number;
  /** Addresses of other peers in each getaddr answer (default 20). */
  addrPerPeer?: number;
  /** Fraction of peers (spread evenly) that shake hands honestly and then misbehave. Default 0. */
  hostileFraction?: number;
  /** What hostile peers do, round-robin. Default: the cheap ones (no pumping floods). */
  hostileBehaviours?: HostileBehaviour[];
  /** Blocks mined before anyone connects. Default 0 (the tip is regtest's genesis). */
  startHeight?: number;
}

export interface SimPeerInfo {
  address: string;
  userAgent: string;
  /** Blocks behind the tip this peer stays (0 or 1). */
  lag: number;
  hostile?: HostileBehaviour;
}

export interface BitcoinSimnet {
  /** `host:port` of every peer, in order. */
  addresses: string[];
  peers: SimPeerInfo[];
  /** Mines `blocks` on the shared chain and announces them to every connected client; returns the tip height. */
  mine(blocks?: number): number;
  /** Height of the tip (lagging peers are one below). */
  height(): number;
  /** Clients currently connected, over all peers. */
  connections(): number;
  close(): Promise<void>;
}

/** Default user agents; the first twice, so the distribution a monitor shows is uneven (2:1:1). */
export const SIMNET_USER_AGENTS = ['/simnet:0.1.0/', '/simnet:0.1.0/', '/simnet:0.2.0/', '/simnet:0.2.1(lite)/'];
/** NODE_NETWORK | NODE_WITNESS | NODE_NETWORK_LIMITED: what a current Core node advertises. */
const SERVICES = Services.NETWORK | Services.WITNESS | Services.NETWORK_LIMITED;

interface SimPeer extends SimPeerInfo {
  index: number;
  host: string;
}

/** One client connection. Plain fields and no timers: a sim peer costs its socket and a codec. */
class Connection extends ClientState {
  readonly codec = new BitcoinCodec({ magic: REGTEST.magic });

  constructor(socket: net.Socket, readonly peer: SimPeer, tip: number) {
    super(socket, tip);
  }
}

/** `n` loopback hosts from `base` upward (Linux routes all of 127/8 to lo), skipping .0 and .255. */
export function loopbackHosts(base: string, n: number): string[] {
  if (net.isIPv4(base) === false || !base.startsWith('127.')) throw new RangeError(`not a 127/8 address: ${base}`);
  let v = base.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  const out: string[] = [];
  while (out.length < n) {
    const last = v & 0xff;
    if (last !== 0 && last !== 255) out.push([v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, last].join('.'));
    v++;
    if (v >>> 24 !== 127) throw new RangeError(`${n} hosts from ${base} leave 127/8`);
  }
  return out;
}

/** Peer i is in the selection iff the evenly spread count ⌊(i+1)·f⌋ steps at i. */
const spread = (i: number, f: number) => Math.floor((i + 1) * f) > Math.floor(i * f);

/**
 * Peers whose address peer i hands out: its successor (so every peer is reachable from any seed),
 * then pseudo-random others (fixed per i, so runs repeat), which keeps the hop count from one seed
 * to all N near log(N) instead of N/20.
 */
function neighbours(i: number, n: number, k: number): number[] {
  const want = Math.min(k, n - 1);
  const out = new Set<number>();
  if (want > 0) out.add((i + 1) % n);
  let x = (i * 2654435761 + 1) >>> 0;
  while (out.size < want) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const j = x % n;
    if (j !== i) out.add(j);
  }
  return [...out];
}

/**
 * N lightweight simulated Bitcoin regtest peers in this process, each on its own loopback address and
 * one shared port. Each answers the way Core does as the inbound side: version (+ wtxidrelay, sendaddrv2)
 * and verack, then sendheaders; pong to ping; one getaddr answer (addr, or addrv2 after sendaddrv2) of
 * other sim peers; headers to getheaders; notfound to getdata. Blocks come from one shared header chain:
 * `mine()` announces them by headers (BIP130) or inv.
 */
export async function startBitcoinSimnet(options: BitcoinSimnetOptions): Promise<BitcoinSimnet> {
  const n = options.peers;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`peers must be a positive integer, got ${n}`);
  const hosts = loopbackHosts(options.baseHost ?? '127.1.0.1', n);
  const userAgents = options.userAgents ?? SIMNET_USER_AGENTS;
  const behaviours = options.hostileBehaviours ?? CHEAP_HOSTILE_KINDS;
  const addrPerPeer = options.addrPerPeer ?? 20;
  const chain = new VirtualChain();
  for (let i = 0; i < (options.startHeight ?? 0); i++) chain.mine();

  const port = options.port ?? (await freePort(hosts[0]));
  let hostileCount = 0;
  const peers: SimPeer[] = hosts.map((host, index) => {
    const hostile = spread(index, options.hostileFraction ?? 0) ? behaviours[hostileCount++ % behaviours.length] : undefined;
    return {
      index, host, address: `${host}:${port}`, userAgent: userAgents[index % userAgents.length],
      lag: spread(index, options.laggingFraction ?? 0) ? 1 : 0, ...(hostile ? { hostile } : {}),
    };
  });
  const connections = new Set<Connection>();
  // Encoded once and written to every client: all connections share the regtest magic.
  const encoder = new BitcoinCodec({ magic: REGTEST.magic });
  const encode = (m: BitcoinMessage) => encoder.encode(m).bytes;
  const tipOf = (peer: SimPeer) => Math.max(0, chain.height - peer.lag);

  const onMessage = (c: Connection, m: BitcoinMessage) => {
    const send = (reply: BitcoinMessage) => c.socket.write(encode(reply));
    if ('raw' in m) return;
    switch (m.command) {
      case 'version':
        if (c.theirVersion) return; // Core ignores a second version
        c.theirVersion = true;
        send(simVersion({ userAgent: c.peer.userAgent, startHeight: c.announced, services: SERVICES, receiver: receiverOf(c.socket) }));
        // BIP339 and BIP155 announcements go between version and verack, as Core sends them.
        if (m.version >= 70016) send({ command: 'wtxidrelay' });
        send({ command: 'sendaddrv2' });
        send({ command: 'verack' });
        return;
      case 'verack':
        if (c.verack) return;
        c.verack = true;
        if (c.peer.hostile) {
          c.misbehaving = true;
          // After the client's own post-handshake messages are on the wire, as the single hostile peer does.
          setTimeout(() => misbehave(c.peer.hostile!, c.socket, REGTEST.magicBytes), 20);
          return;
        }
        send({ command: 'sendheaders' });
        return;
      case 'sendaddrv2':
        if (!c.verack) c.addrv2 = true; // BIP155: only honoured before verack
        return;
      case 'sendheaders':
        c.sendheaders = true;
        return;
      case 'ping':
        send({ command: 'pong', nonce: m.nonce });
        return;
      case 'getaddr':
        // Core answers one getaddr per connection and ignores the rest (privacy: no address-book scraping).
        if (c.answeredGetaddr) return;
        c.answeredGetaddr = true;
        send(addrAnswer(c));
        return;
      case 'getheaders':
        send({ command: 'headers', headers: chain.headersAfter(m.locator, m.hashStop, tipOf(c.peer)) });
        return;
      case 'getdata':
        send({ command: 'notfound', items: m.items });
        return;
      default:
        return;
    }
  };

  const addrAnswer = (c: Connection): BitcoinMessage => {
    const time = Math.floor(Date.now() / 1000) - 600;
    const list = neighbours(c.peer.index, n, addrPerPeer).map((j) => peers[j]);
    return c.addrv2
      ? { command: 'addrv2', addresses: list.map((p) => ({ time, services: SERVICES, network: 'ipv4' as const, host: p.host, port })) }
      : { command: 'addr', addresses: list.map((p) => ({ time, services: SERVICES, host: p.host, port })) };
  };

  const accept = (peer: SimPeer) => (socket: net.Socket) => {
    const c = new Connection(socket, peer, tipOf(peer));
    connections.add(c);
    socket.on('error', () => {});
    socket.on('close', () => connections.delete(c));
    socket.on('data', (chunk: Buffer) => {
      if (c.misbehaving) return;
      for (const message of clientMessages(c.codec, socket, chunk)) onMessage(c, message);
      // A block mined between our version and the client's verack: announce it once the handshake is
      // done (after the whole chunk, so a sendheaders sent with the verack is honoured).
      if (c.verack && c.announced < tipOf(c.peer)) announceTo(c, new Map());
    });
  };

  const servers: net.Server[] = [];
  try {
    await Promise.all(
      peers.map((peer) => {
        const server = net.createServer(accept(peer));
        servers.push(server);
        return new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ port, host: peer.host, backlog: 511 }, () => resolve());
        });
      }),
    );
  } catch (err) {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    throw err;
  }

  /** Tells one client about blocks it has not heard of: headers (BIP130) for a few, else inv of the tip. */
  const announceTo = (c: Connection, cache: Map<string, Uint8Array>) => {
    if (!c.verack || c.misbehaving) return;
    const tip = tipOf(c.peer);
    if (tip <= c.announced) return;
    const { key, message } = chain.announcement(c.announced, tip, c.sendheaders);
    let bytes = cache.get(key);
    if (!bytes) {
      bytes = encode(message);
      cache.set(key, bytes);
    }
    c.socket.write(bytes);
    c.announced = tip;
  };

  const announce = () => {
    // Identical announcements are encoded once for all clients.
    const cache = new Map<string, Uint8Array>();
    for (const c of connections) announceTo(c, cache);
  };

  return {
    addresses: peers.map((p) => p.address),
    peers: peers.map(({ address, userAgent, lag, hostile }) => ({ address, userAgent, lag, ...(hostile ? { hostile } : {}) })),
    mine(blocks = 1) {
      for (let i = 0; i < blocks; i++) chain.mine();
      announce();
      return chain.height;
    },
    height: () => chain.height,
    connections: () => connections.size,
    async close() {
      for (const c of connections) c.socket.destroy();
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    },
  };
}
