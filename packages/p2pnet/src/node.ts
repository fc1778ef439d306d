import net from 'node:net';
import { Subject, filter, type Observable } from 'rxjs';
import { type FailureReason, type PeerEvent, type PeerTimeouts } from '@peerscope/engine';
import { erase, runPeer, type PeerRun } from '@peerscope/engine/protocol';
import type { Framing } from './codec.js';
import type { Compression } from './compression.js';
import { defaultNodeId } from './id.js';
import { DEFAULT_HANDSHAKE_SETTLE_MS, DEFAULT_MAX_MESSAGE_SIZE, EOT } from './limits.js';
import { encodePacket, type MessageData } from './message.js';
import { GuardedObservable } from './guarded-observable.js';
import { NodeConnection } from './node-connection.js';
import type { NodeEvent, NodeEventOf, NodeEventType } from './node-events.js';
import { Outbox } from './outbox.js';
import { p2pnetProtocol, type DecodeError, type P2pConfig } from './protocol.js';

export interface ReconnectPolicy {
  /** First retry after this long; each further retry waits twice as long, up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Give up after this many failed attempts in a row (Infinity: never). */
  maxAttempts: number;
}

export interface NodeOptions {
  host: string;
  /** Listening port; 0 picks a free one (read `node.port` after start()). */
  port: number;
  /** Default: hex SHA-512 of host + port + a random number, as p2pnetwork makes it. */
  id?: string;
  /** Inbound connections allowed at once; 0 = unlimited (p2pnetwork 1.2 counts inbound only). */
  maxConnections?: number;
  /** 'eot' (default) talks to p2pnetwork; 'length' only to peerscope nodes that chose it too. */
  framing?: Framing;
  maxMessageSize?: number;
  /** See DEFAULT_HANDSHAKE_SETTLE_MS. */
  settleMs?: number;
  reconnect?: Partial<ReconnectPolicy>;
  timeouts?: Partial<PeerTimeouts>;
}

export interface SendOptions {
  compression?: Compression | 'none';
}

export interface SendToNodesOptions extends SendOptions {
  /** Connections (or node ids) not to send to. */
  exclude?: readonly (NodeConnection | string)[];
}

/** A connection that could not be made, with the engine's typed reason. */
export class ConnectError extends Error {
  constructor(readonly reason: FailureReason, message: string) {
    super(message);
    this.name = 'ConnectError';
  }
}

const DEFAULT_RECONNECT: ReconnectPolicy = { initialDelayMs: 100, maxDelayMs: 5_000, maxAttempts: Infinity };
const STOP_GRACE_MS = 2_000;
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '::1', '0.0.0.0', '::']);

interface Conn {
  run: PeerRun;
  direction: 'inbound' | 'outbound';
  host: string;
  port: number;
  remoteId?: string;
  remotePort?: number;
  node?: NodeConnection;
  outbox?: Outbox;
  target?: Target;
  /** Set when a simultaneous dial's other connection won the tie-break and this one is being closed. */
  superseded?: string;
}

/** An outbound address the node keeps (one connection at a time; reconnected when asked to). */
interface Target {
  host: string;
  port: number;
  reconnect: boolean;
  wanted: boolean;
  attempt: number;
  timer?: NodeJS.Timeout;
  conn?: Conn;
  settle?: { resolve(node: NodeConnection): void; reject(err: ConnectError): void };
}

/**
 * A peer-to-peer node wire-compatible with Python p2pnetwork 1.2. Every connection, inbound and
 * outbound, is an engine peer machine (connecting → handshaking → ready) running the p2pnet protocol.
 * Events arrive both on `events$` and through the overridable hook methods (p2pnetwork's callbacks).
 */
export class Node {
  readonly id: string;
  readonly host: string;
  readonly messageCount = { sent: 0, received: 0, errors: 0 };
  readonly events$: Observable<NodeEvent>;

  private listenPort: number;
  private readonly options: Required<Pick<NodeOptions, 'maxConnections' | 'framing' | 'maxMessageSize' | 'settleMs'>>;
  private readonly reconnectPolicy: ReconnectPolicy;
  private readonly subject = new Subject<NodeEvent>();
  private readonly conns = new Map<string, Conn>();
  private readonly claimed = new Map<string, string>();
  private readonly targets = new Map<string, Target>();
  private server?: net.Server;
  private seq = 0;
  private stopping?: Promise<void>;

  constructor(private readonly nodeOptions: NodeOptions) {
    this.host = nodeOptions.host;
    this.listenPort = nodeOptions.port;
    this.id = nodeOptions.id ?? defaultNodeId(nodeOptions.host, nodeOptions.port);
    this.options = {
      maxConnections: nodeOptions.maxConnections ?? 0,
      framing: nodeOptions.framing ?? 'eot',
      maxMessageSize: nodeOptions.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE,
      settleMs: nodeOptions.settleMs ?? DEFAULT_HANDSHAKE_SETTLE_MS,
    };
    this.reconnectPolicy = { ...DEFAULT_RECONNECT, ...nodeOptions.reconnect };
    // A subscriber's bug must not take the node down: rxjs would rethrow it on a timer (an uncaught
    // exception); it is reported as an 'error' event instead.
    this.events$ = new GuardedObservable<NodeEvent>((error, value) => this.subscriberFailed(error, value), (subscriber) => this.subject.subscribe(subscriber));
  }

  get port(): number {
    return this.listenPort;
  }

  get framing(): Framing {
    return this.options.framing;
  }

  /** Events of one type. */
  on$<T extends NodeEventType>(type: T): Observable<NodeEventOf<T>> {
    return this.events$.pipe(filter((e): e is NodeEventOf<T> => e.type === type));
  }

  get nodesInbound(): NodeConnection[] {
    return this.ready().filter((n) => n.direction === 'inbound');
  }

  get nodesOutbound(): NodeConnection[] {
    return this.ready().filter((n) => n.direction === 'outbound');
  }

  get allNodes(): NodeConnection[] {
    return this.ready();
  }

  /** Listens for inbound connections. */
  async start(): Promise<void> {
    if (this.server) return;
    const server = net.createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.nodeOptions.port, this.host, () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
    this.listenPort = (server.address() as net.AddressInfo).port;
  }

  /**
   * Dials a node. Resolves once the id exchange is done; rejects with a ConnectError ('self-connection',
   * 'duplicate', 'refused', …). With `reconnect`, a lost or failed connection is retried with backoff
   * until disconnectWithNode() or stop().
   */
  connectWithNode(host: string, port: number, options: { reconnect?: boolean } = {}): Promise<NodeConnection> {
    if (this.stopping) return Promise.reject(new ConnectError('stopped', 'the node is stopping'));
    if (port === this.listenPort && (host === this.host || (LOOPBACK_NAMES.has(host) && LOOPBACK_NAMES.has(this.host)))) {
      return Promise.reject(new ConnectError('self-connection', `${host}:${port} is this node`));
    }
    const key = `${host}:${port}`;
    const existing = this.targets.get(key) ?? this.ready().find((n) => n.host === host && n.port === port);
    if (existing) return Promise.reject(new ConnectError('duplicate', `already connected (or connecting) to ${key}`));
    const target: Target = { host, port, reconnect: options.reconnect ?? false, wanted: true, attempt: 0 };
    this.targets.set(key, target);
    return new Promise<NodeConnection>((resolve, reject) => {
      target.settle = { resolve, reject };
      this.dial(target);
    });
  }

  /** Sends to one connection. Returns false if it is no longer connected. */
  sendToNode(node: NodeConnection, data: MessageData, options: SendOptions = {}): boolean {
    const conn = this.conns.get(node.connectionId);
    if (!conn?.outbox || conn.node !== node) return false;
    const packet = this.encode(data, options.compression);
    this.push(conn, packet);
    return true;
  }

  /** Sends to every connection except `exclude`; the message is encoded (and compressed) once. Returns the count. */
  sendToNodes(data: MessageData, options: SendToNodesOptions = {}): number {
    const excluded = new Set((options.exclude ?? []).map((x) => (typeof x === 'string' ? x : x.connectionId)));
    const targets = [...this.conns.values()].filter((c) => c.outbox && c.node && !excluded.has(c.node.connectionId) && !excluded.has(c.node.id));
    if (targets.length === 0) return 0;
    const packet = this.encode(data, options.compression);
    for (const conn of targets) this.push(conn, packet);
    return targets.length;
  }

  /** Closes a connection; an outbound one is not reconnected. Resolves when it is closed. */
  async disconnectWithNode(node: NodeConnection): Promise<void> {
    const conn = this.conns.get(node.connectionId);
    if (!conn) return;
    if (conn.target) this.forget(conn.target);
    if (node.direction === 'outbound') this.hook('nodeDisconnectWithOutboundNode', () => this.nodeDisconnectWithOutboundNode(node), { type: 'node-disconnect-with-outbound-node', node });
    conn.run.stop();
    await conn.run.done;
  }

  /** Stops listening, closes every connection and resolves when all are closed (promptly: no polling). */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.hook('nodeRequestToStop', () => this.nodeRequestToStop(), { type: 'node-request-to-stop' });
      for (const target of this.targets.values()) this.forget(target);
      const closed = this.server ? new Promise<void>((r) => this.server!.close(() => r())) : Promise.resolve();
      const runs = [...this.conns.values()].map((c) => {
        c.run.stop();
        return c.run.done;
      });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all([closed, ...runs]), new Promise((r) => (timer = setTimeout(r, STOP_GRACE_MS)))]);
      clearTimeout(timer);
      this.subject.complete();
    })();
    return this.stopping;
  }

  // Hooks with p2pnetwork's meanings; override in a subclass. Events are emitted on events$ as well.
  // An exception thrown by a hook is caught and reported as an 'error' event; the connection goes on.
  outboundNodeConnected(_node: NodeConnection): void {}
  inboundNodeConnected(_node: NodeConnection): void {}
  outboundNodeDisconnected(_node: NodeConnection): void {}
  inboundNodeDisconnected(_node: NodeConnection): void {}
  nodeMessage(_node: NodeConnection, _data: unknown): void {}
  nodeDisconnectWithOutboundNode(_node: NodeConnection): void {}
  nodeRequestToStop(): void {}
  /** Called before each reconnect attempt; return false to give up on host:port. */
  nodeReconnectionError(_host: string, _port: number, _attempt: number): boolean {
    return true;
  }

  private ready(): NodeConnection[] {
    const out: NodeConnection[] = [];
    for (const c of this.conns.values()) if (c.node) out.push(c.node);
    return out;
  }

  private encode(data: MessageData, compression?: Compression | 'none'): Uint8Array | Promise<Uint8Array> {
    const packet = encodePacket(data, compression);
    if (packet instanceof Promise) return packet;
    if (packet.length === 0) throw new RangeError('an empty message cannot be sent (it would stall a p2pnetwork receiver)');
    if (packet.length > this.options.maxMessageSize) throw new RangeError(`message of ${packet.length} bytes over the limit of ${this.options.maxMessageSize}`);
    if (this.options.framing === 'eot' && packet.indexOf(EOT) >= 0) {
      throw new RangeError('a message containing byte 0x04 cannot be sent with EOT framing (use compression or length framing)');
    }
    return packet;
  }

  private push(conn: Conn, packet: Uint8Array | Promise<Uint8Array>): void {
    this.messageCount.sent++;
    conn.node!.counts.sent++;
    conn.outbox!.push(packet);
  }

  private config(connId: string): P2pConfig {
    return {
      id: this.id,
      port: this.listenPort,
      framing: this.options.framing,
      maxMessageSize: this.options.maxMessageSize,
      settleMs: this.options.settleMs,
      admit: (remote) => {
        if (remote.id === this.id) return 'self-connection';
        const holderId = this.claimed.get(remote.id);
        const holder = holderId !== undefined && holderId !== connId ? this.conns.get(holderId) : undefined;
        if (holder) {
          if (!this.winsTieBreak(remote.direction, holder.direction, remote.id)) return 'duplicate';
          holder.superseded = connId;
          // Not from inside this connection's handshake callback: the other machine ends on its own turn.
          queueMicrotask(() => holder.run.stop());
        }
        this.claimed.set(remote.id, connId);
        return null;
      },
    };
  }

  /**
   * Two nodes dialling each other at once each hold an outbound and an inbound connection with the
   * other, and each side sees them in its own order; refusing the later one on both sides can close
   * both. Instead both sides keep the connection dialled by the node with the smaller id (the same
   * answer on both ends, whatever the timing). Two connections in the same direction are a plain
   * duplicate: the newer one is refused.
   */
  private winsTieBreak(direction: Conn['direction'], holderDirection: Conn['direction'], remoteId: string): boolean {
    if (direction === holderDirection) return false;
    const dialledBySmaller: Conn['direction'] = this.id < remoteId ? 'outbound' : 'inbound';
    return direction === dialledBySmaller;
  }

  private accept(socket: net.Socket): void {
    const host = normaliseHost(socket.remoteAddress ?? '');
    const port = socket.remotePort ?? 0;
    if (this.stopping) return void socket.destroy();
    const inbound = [...this.conns.values()].filter((c) => c.direction === 'inbound').length;
    if (this.options.maxConnections > 0 && inbound >= this.options.maxConnections) {
      // As p2pnetwork: over the limit, the socket is closed without a word.
      socket.destroy();
      this.emit({ type: 'inbound-refused', host, port, reason: 'flood', detail: `maxConnections (${this.options.maxConnections}) reached` });
      return;
    }
    const connId = `in-${++this.seq}`;
    this.startRun(connId, { direction: 'inbound', host, port }, socket);
  }

  private dial(target: Target): void {
    const connId = `out-${++this.seq}`;
    target.conn = this.startRun(connId, { direction: 'outbound', host: target.host, port: target.port, target });
  }

  private startRun(connId: string, base: Omit<Conn, 'run'>, socket?: net.Socket): Conn {
    const conn = { ...base } as Conn;
    this.conns.set(connId, conn);
    conn.run = runPeer({
      id: connId,
      host: base.host,
      port: base.port,
      protocol: erase(p2pnetProtocol),
      config: this.config(connId),
      socket,
      timeouts: this.nodeOptions.timeouts,
      onEvent: (e) => this.onPeerEvent(connId, conn, e),
    });
    return conn;
  }

  private onPeerEvent(connId: string, conn: Conn, e: PeerEvent): void {
    switch (e.type) {
      case 'handshake':
        conn.remoteId = String(e.info.details?.id ?? '');
        conn.remotePort = Number(e.info.details?.port ?? conn.port);
        return;
      case 'app':
        if (!conn.node) return;
        if (e.name === 'messages') {
          const node = conn.node;
          for (const data of e.data as unknown[]) {
            this.messageCount.received++;
            node.counts.received++;
            this.hook('nodeMessage', () => this.nodeMessage(node, data), { type: 'node-message', node, data });
            if (conn.node !== node) return;
          }
        } else if (e.name === 'decode-error') {
          const { message, reason } = e.data as DecodeError;
          this.messageCount.errors++;
          this.emit({ type: 'message-error', node: conn.node, error: message, reason });
        }
        return;
      case 'state':
        if (e.state === 'ready') return this.onReady(connId, conn);
        if (e.state === 'failed' || e.state === 'closed') return this.onEnd(connId, conn, e.reason ?? 'stopped', e.detail);
        return;
      default:
        return;
    }
  }

  private onReady(connId: string, conn: Conn): void {
    const node = new NodeConnection(conn.remoteId ?? '', conn.host, conn.remotePort ?? conn.port, conn.direction, connId, conn.run, (n, d, c) => {
      if (!this.sendToNode(n, d, { compression: c })) throw new Error(`${n} is not connected`);
    });
    conn.node = node;
    conn.outbox = new Outbox(
      (payloads) => conn.run.command({ type: 'send', payloads }),
      (err) => {
        this.messageCount.errors++;
        this.emit({ type: 'message-error', node, error: String((err as Error)?.message ?? err) });
      },
    );
    if (conn.direction === 'outbound') {
      const target = conn.target!;
      target.attempt = 0;
      const settle = target.settle;
      target.settle = undefined;
      this.hook('outboundNodeConnected', () => this.outboundNodeConnected(node), { type: 'outbound-node-connected', node });
      settle?.resolve(node);
    } else {
      this.hook('inboundNodeConnected', () => this.inboundNodeConnected(node), { type: 'inbound-node-connected', node });
    }
  }

  private onEnd(connId: string, conn: Conn, reason: FailureReason, detail?: string): void {
    this.conns.delete(connId);
    if (conn.superseded && reason === 'stopped') {
      reason = 'duplicate';
      detail = 'both nodes dialled at once; the connection dialled by the smaller id was kept';
    }
    if (conn.remoteId !== undefined && this.claimed.get(conn.remoteId) === connId) this.claimed.delete(conn.remoteId);
    const node = conn.node;
    if (node) {
      if (node.direction === 'outbound') this.hook('outboundNodeDisconnected', () => this.outboundNodeDisconnected(node), { type: 'outbound-node-disconnected', node, reason, detail });
      else this.hook('inboundNodeDisconnected', () => this.inboundNodeDisconnected(node), { type: 'inbound-node-disconnected', node, reason, detail });
    } else if (conn.direction === 'outbound') {
      this.emit({ type: 'connect-failed', host: conn.host, port: conn.port, reason, detail });
    } else if (reason !== 'stopped') {
      this.emit({ type: 'inbound-refused', host: conn.host, port: conn.port, reason, detail });
    }
    const target = conn.target;
    if (!target || target.conn !== conn) return;
    target.conn = undefined;
    const settle = target.settle;
    target.settle = undefined;
    settle?.reject(new ConnectError(reason, `${conn.host}:${conn.port}: ${reason}${detail ? ` (${detail})` : ''}`));
    const retry = target.wanted && target.reconnect && !this.stopping && reason !== 'self-connection' && reason !== 'duplicate';
    if (!retry) return this.forget(target);
    target.attempt++;
    // A hook that throws keeps the default answer (retry).
    const giveUp = () => !(this.guard('nodeReconnectionError', () => this.nodeReconnectionError(target.host, target.port, target.attempt)) ?? true);
    if (target.attempt > this.reconnectPolicy.maxAttempts || giveUp()) {
      return this.forget(target);
    }
    const delayMs = Math.min(this.reconnectPolicy.initialDelayMs * 2 ** (target.attempt - 1), this.reconnectPolicy.maxDelayMs);
    this.emit({ type: 'reconnecting', host: target.host, port: target.port, attempt: target.attempt, delayMs });
    target.timer = setTimeout(() => {
      target.timer = undefined;
      if (target.wanted && !this.stopping) this.dial(target);
    }, delayMs);
  }

  private forget(target: Target): void {
    target.wanted = false;
    clearTimeout(target.timer);
    const key = `${target.host}:${target.port}`;
    if (this.targets.get(key) === target) this.targets.delete(key);
  }

  /** Runs a hook method, then emits its event (also when the hook threw). */
  private hook(name: string, call: () => void, event: NodeEvent): void {
    this.guard(name, call, 'node' in event ? event.node : undefined);
    this.emit(event);
  }

  /**
   * Application code runs inside the engine's peer machine (the node hears of a connection from its
   * events): an exception escaping here would fail the connection as 'malformed'. It is the
   * application's bug, not the peer's: report it and go on.
   */
  private guard<T>(name: string, call: () => T, node?: NodeConnection): T | undefined {
    try {
      return call();
    } catch (error) {
      this.messageCount.errors++;
      this.emit({ type: 'error', hook: name, error, message: errorMessage(error), ...(node && { node }) });
      return undefined;
    }
  }

  private subscriberFailed(error: unknown, value: unknown): void {
    this.messageCount.errors++;
    // What the subscriber got: an event, or whatever an operator made of one.
    const event = typeof value === 'object' && value !== null ? (value as Partial<NodeEvent>) : undefined;
    // An 'error' subscriber that throws is counted, not reported again (that would loop).
    if (event?.type === 'error') return;
    const node = event && 'node' in event && event.node instanceof NodeConnection ? event.node : undefined;
    this.emit({ type: 'error', hook: `subscriber:${String(event?.type ?? 'events$')}`, error, message: errorMessage(error), ...(node && { node }) });
  }

  private emit(event: NodeEvent): void {
    if (!this.subject.closed) this.subject.next(event);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function normaliseHost(host: string): string {
  return host.startsWith('::ffff:') ? host.slice(7) : host;
}
