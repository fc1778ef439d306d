import { filter, type Observable } from 'rxjs';
import type { FailureReason, PeerTimeouts } from '@peerscope/engine';
import type { Framing } from './codec.js';
import type { Compression } from './compression.js';
import { Admission } from './admission.js';
import { Connections, type AdmitAnswer, type Conn, type ConnectionsOwner, type ExecutorChoice } from './connections.js';
import { ConnectError, DEFAULT_RECONNECT, Dialler, type ReconnectPolicy } from './dialler.js';
import { EventHub } from './event-hub.js';
import { defaultNodeId } from './id.js';
import { DEFAULT_EVICT_IDLE_MS, DEFAULT_HANDSHAKE_SETTLE_MS, DEFAULT_SLOW_MESSAGE_MS, DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_MAX_PENDING_HANDSHAKES, DEFAULT_MAX_PENDING_PER_ADDRESS, DEFAULT_P2P_HANDSHAKE_MS } from './limits.js';
import { messageValue, outgoingPacket, type MessageData, type Payload } from './message.js';
import { NodeConnection } from './node-connection.js';
import type { NodeEvent, NodeEventOf, NodeEventType } from './node-events.js';
import type { AdmitRequest, DecodeError, P2pConfig } from './protocol.js';

export { ConnectError, type ReconnectPolicy };

export interface NodeOptions extends ExecutorChoice {
  host: string;
  /** Listening port; 0 picks a free one (read `node.port` after start()). */
  port: number;
  /** Default: hex SHA-512 of host + port + a random number, as p2pnetwork makes it. */
  id?: string;
  /**
   * Inbound connections allowed at once, counted once admitted (past the id exchange); 0 = unlimited
   * (p2pnetwork 1.2 counts inbound only). Connections still in their handshake have slots of their own
   * (maxPendingHandshakes) and a short handshake timeout, so silent sockets cannot lock peers out.
   */
  maxConnections?: number;
  /** Accepted connections still in their handshake, at once (default DEFAULT_MAX_PENDING_HANDSHAKES). */
  maxPendingHandshakes?: number;
  /** Of those, from one address (default DEFAULT_MAX_PENDING_PER_ADDRESS). */
  maxPendingPerAddress?: number;
  /** Admitted inbound connections from one address; 0 = unlimited (the default: loopback meshes share one). */
  maxConnectionsPerAddress?: number;
  /**
   * An inbound connection that delivered nothing for this long is closed ('timeout-idle'); 0 = never
   * (the default: p2pnetwork has no keepalive, an idle connection is normal there).
   */
  idleTimeoutMs?: number;
  /**
   * When maxConnections is reached, a new node takes the slot of the inbound connection idle the longest,
   * if it has been idle at least this long (default DEFAULT_EVICT_IDLE_MS; 0 = never evict).
   */
  evictIdleMs?: number;
  /** 'eot' (default) talks to p2pnetwork; 'length' only to peerscope nodes that chose it too. */
  framing?: Framing;
  maxMessageSize?: number;
  /** See DEFAULT_HANDSHAKE_SETTLE_MS. */
  settleMs?: number;
  /** A message still incomplete after this long must be arriving at 1 KiB/s or better (DEFAULT_SLOW_MESSAGE_MS; 0: no check). */
  slowMessageMs?: number;
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

/** How long stop() waits for connections to close before it resolves anyway. */
const STOP_GRACE_MS = 2_000;
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '::1', '0.0.0.0', '::']);

type ReadyConn = Conn & { node: NodeConnection };

/**
 * A peer-to-peer node wire-compatible with Python p2pnetwork 1.2. Every connection, inbound and
 * outbound, is an engine peer machine (connecting → handshaking → ready) running the p2pnet protocol
 * on the executor the options pick. Events arrive both on `events$` and through the overridable hook
 * methods (p2pnetwork's callbacks).
 */
export class Node {
  readonly id: string;
  readonly host: string;
  readonly messageCount = { sent: 0, received: 0, errors: 0 };
  readonly events$: Observable<NodeEvent>;

  private listenPort: number;
  private readonly options: Required<Pick<NodeOptions, 'maxConnections' | 'framing' | 'maxMessageSize' | 'settleMs' | 'slowMessageMs' | 'maxPendingHandshakes' | 'maxPendingPerAddress' | 'maxConnectionsPerAddress' | 'idleTimeoutMs' | 'evictIdleMs'>>;
  private idleTimer?: NodeJS.Timeout;
  private readonly hub = new EventHub(this.messageCount);
  private readonly admission: Admission;
  private readonly connections: Connections;
  private readonly dialler: Dialler;
  private configCache?: P2pConfig;
  private started?: Promise<void>;
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
      slowMessageMs: nodeOptions.slowMessageMs ?? DEFAULT_SLOW_MESSAGE_MS,
      maxPendingHandshakes: nodeOptions.maxPendingHandshakes ?? DEFAULT_MAX_PENDING_HANDSHAKES,
      maxPendingPerAddress: nodeOptions.maxPendingPerAddress ?? DEFAULT_MAX_PENDING_PER_ADDRESS,
      maxConnectionsPerAddress: nodeOptions.maxConnectionsPerAddress ?? 0,
      idleTimeoutMs: nodeOptions.idleTimeoutMs ?? 0,
      evictIdleMs: nodeOptions.evictIdleMs ?? DEFAULT_EVICT_IDLE_MS,
    };
    this.events$ = this.hub.events$;
    this.connections = new Connections(nodeOptions, { handshakeMs: DEFAULT_P2P_HANDSHAKE_MS, ...nodeOptions.timeouts }, this.connectionsOwner());
    this.admission = new Admission(this.id, (connId) => {
      const conn = this.connections.get(connId);
      return conn && { ...claimOf(conn), stop: () => void this.connections.stop(conn) };
    });
    this.dialler = new Dialler({ ...DEFAULT_RECONNECT, ...nodeOptions.reconnect }, {
      dial: (host, port) => this.connections.dial(host, port, this.config()),
      // A hook that throws keeps the default answer (retry).
      retryAllowed: (host, port, attempt) => this.hub.guard('nodeReconnectionError', () => this.nodeReconnectionError(host, port, attempt)) ?? true,
      emit: (event) => this.hub.emit(event),
    });
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
    return this.connections.ready().filter((n) => n.direction === 'inbound');
  }

  get nodesOutbound(): NodeConnection[] {
    return this.connections.ready().filter((n) => n.direction === 'outbound');
  }

  get allNodes(): NodeConnection[] {
    return this.connections.ready();
  }

  /** Listens for inbound connections. */
  start(): Promise<void> {
    // The listener's own cap counts handshaking sockets too: room for the admitted ones and the handshakes.
    const { maxConnections, maxPendingHandshakes, idleTimeoutMs } = this.options;
    const sockets = maxConnections > 0 ? maxConnections + maxPendingHandshakes : 0;
    this.started ??= this.connections.listen(this.host, this.nodeOptions.port, sockets, this.config()).then((port) => {
      this.listenPort = port;
      if (idleTimeoutMs > 0) {
        this.idleTimer = setInterval(() => this.closeIdle(), Math.max(10, Math.floor(idleTimeoutMs / 4)));
        this.idleTimer.unref();
      }
    });
    return this.started;
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
    if (this.dialler.has(host, port) || this.connections.ready().some((n) => n.host === host && n.port === port)) {
      return Promise.reject(new ConnectError('duplicate', `already connected (or connecting) to ${host}:${port}`));
    }
    return this.dialler.connect(host, port, options.reconnect ?? false);
  }

  /**
   * Sends to one connection. Returns false if it is no longer connected. It never blocks (p2pnetwork's
   * sendall does): a sender must pace itself by what the peer answers, since a connection holding more
   * than the engine's MAX_UNSENT_BYTES (8 MB) unsent is cut as 'flood', as a peer that does not read.
   */
  sendToNode(node: NodeConnection, data: MessageData, options: SendOptions = {}): boolean {
    const conn = this.connections.get(node.connectionId);
    if (!conn?.outbox || conn.node !== node) return false;
    const packet = this.encode(data, options.compression);
    this.messageCount.sent++;
    node.counts.sent++;
    conn.outbox.push(packet);
    return true;
  }

  /** Sends to every connection except `exclude`; the message is encoded (and compressed) once. Returns the count. */
  sendToNodes(data: MessageData, options: SendToNodesOptions = {}): number {
    const excluded = new Set((options.exclude ?? []).map((x) => (typeof x === 'string' ? x : x.connectionId)));
    const targets = this.connections.readyConns().filter((c) => !excluded.has(c.node.connectionId) && !excluded.has(c.node.id));
    if (targets.length === 0) return 0;
    const packet = this.encode(data, options.compression);
    for (const conn of targets) {
      this.messageCount.sent++;
      conn.node.counts.sent++;
      conn.outbox.push(packet);
    }
    return targets.length;
  }

  /** Closes a connection; an outbound one is not reconnected. Resolves when it is closed. */
  async disconnectWithNode(node: NodeConnection): Promise<void> {
    const conn = this.connections.get(node.connectionId);
    if (!conn) return;
    this.dialler.forgetConnection(conn.id);
    if (node.direction === 'outbound') this.hub.hook('nodeDisconnectWithOutboundNode', () => this.nodeDisconnectWithOutboundNode(node), { type: 'node-disconnect-with-outbound-node', node });
    await this.connections.stop(conn);
  }

  /** Stops listening, closes every connection and resolves when all are closed (promptly: no polling). */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.hub.hook('nodeRequestToStop', () => this.nodeRequestToStop(), { type: 'node-request-to-stop' });
      this.dialler.forgetAll();
      clearInterval(this.idleTimer);
      await this.started?.catch(() => {});
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.connections.close(), new Promise((r) => (timer = setTimeout(r, STOP_GRACE_MS)))]);
      clearTimeout(timer);
      this.hub.complete();
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

  /** One object while it stays the same: a pool sends each distinct config to a worker once. */
  private config(): P2pConfig {
    if (this.configCache?.port !== this.listenPort) {
      const { framing, maxMessageSize, settleMs, slowMessageMs } = this.options;
      this.configCache = { id: this.id, port: this.listenPort, framing, maxMessageSize, settleMs, slowMessageMs };
    }
    return this.configCache;
  }

  private encode(data: MessageData, compression?: Compression | 'none'): Payload | Promise<Uint8Array> {
    return outgoingPacket(data, compression, this.options);
  }

  /** How the node reacts to its connections' lives: admission, hooks, counters, dial outcomes. */
  private connectionsOwner(): ConnectionsOwner {
    return {
      accepted: (conn: Conn) => this.accepted(conn),
      admit: (conn: Conn, remote: AdmitRequest): AdmitAnswer => {
        if (conn.direction === 'inbound' && remote.id !== this.id) {
          const full = this.inboundFull(conn);
          if (full) return { verdict: 'flood', detail: full };
        }
        return { verdict: this.admission.decide(conn.id, claimOf(conn), remote.id) };
      },
      nodeFor: (conn) => new NodeConnection(conn.remote.id, conn.host, conn.direction === 'inbound' ? conn.remote.port : conn.port, conn.direction, conn.id, (n, d, c) => {
        if (!this.sendToNode(n, d, { compression: c })) throw new Error(`${n} is not connected`);
      }),
      ready: ({ id, node }: ReadyConn) => {
        if (node.direction === 'outbound') {
          this.hub.hook('outboundNodeConnected', () => this.outboundNodeConnected(node), { type: 'outbound-node-connected', node });
          this.dialler.connected(id, node);
        } else {
          this.hub.hook('inboundNodeConnected', () => this.inboundNodeConnected(node), { type: 'inbound-node-connected', node });
        }
      },
      messages: (conn: ReadyConn, contents: readonly Payload[]) => {
        const node = conn.node;
        for (const content of contents) {
          const data = messageValue(content);
          this.messageCount.received++;
          node.counts.received++;
          this.hub.hook('nodeMessage', () => this.nodeMessage(node, data), { type: 'node-message', node, data });
          // A hook may have disconnected it.
          if (this.connections.get(conn.id) !== conn) return;
        }
      },
      decodeError: ({ node }: ReadyConn, { message, reason }: DecodeError) => {
        this.messageCount.errors++;
        this.hub.emit({ type: 'message-error', node, error: message, message, reason });
      },
      sendFailed: ({ node }: ReadyConn, err: unknown) => {
        this.messageCount.errors++;
        const message = String((err as Error)?.message ?? err);
        this.hub.emit({ type: 'message-error', node, error: message, message });
      },
      ended: (conn: Conn, reason: FailureReason, detail?: string) => this.ended(conn, reason, detail),
    };
  }

  /** A socket our listener accepted: too many handshakes at once, overall or from its address? */
  private accepted(conn: Conn): { reason: FailureReason; detail: string } | undefined {
    const { maxPendingHandshakes, maxPendingPerAddress } = this.options;
    let pending = 0;
    let fromHost = 0;
    for (const c of this.connections.all()) {
      if (c === conn || c.direction !== 'inbound' || c.admitted || c.refusal) continue;
      pending++;
      if (c.host === conn.host) fromHost++;
    }
    if (maxPendingPerAddress > 0 && fromHost >= maxPendingPerAddress) {
      return { reason: 'flood', detail: `more than ${maxPendingPerAddress} handshakes at once from ${conn.host}` };
    }
    if (this.options.maxConnections === 0 && maxPendingHandshakes > 0 && pending >= maxPendingHandshakes) {
      return { reason: 'flood', detail: `more than ${maxPendingHandshakes} handshakes at once` };
    }
    return undefined;
  }

  /**
   * Why an inbound connection cannot be admitted now, or undefined. At maxConnections the inbound
   * connection idle the longest gives up its slot if it has been idle evictIdleMs.
   */
  private inboundFull(conn: Conn): string | undefined {
    const { maxConnections, maxConnectionsPerAddress, evictIdleMs } = this.options;
    let admitted = 0;
    let fromHost = 0;
    let idlest: Conn | undefined;
    for (const c of this.connections.all()) {
      if (c === conn || c.direction !== 'inbound' || !c.admitted || c.refusal) continue;
      admitted++;
      if (c.host === conn.host) fromHost++;
      if (!idlest || (c.lastActiveAt ?? 0) < (idlest.lastActiveAt ?? 0)) idlest = c;
    }
    if (maxConnectionsPerAddress > 0 && fromHost >= maxConnectionsPerAddress) return `maxConnectionsPerAddress (${maxConnectionsPerAddress}) reached for ${conn.host}`;
    if (maxConnections === 0 || admitted < maxConnections) return undefined;
    if (idlest && evictIdleMs > 0 && Date.now() - (idlest.lastActiveAt ?? 0) >= evictIdleMs) {
      idlest.refusal = { reason: 'evicted', detail: `idle for ${Date.now() - (idlest.lastActiveAt ?? 0)} ms; its slot went to a new connection (maxConnections ${maxConnections})` };
      void this.connections.stop(idlest);
      return undefined;
    }
    return `maxConnections (${maxConnections}) reached`;
  }

  private closeIdle(): void {
    const now = Date.now();
    for (const c of this.connections.all()) {
      if (c.direction !== 'inbound' || !c.admitted || c.refusal) continue;
      const idle = now - (c.lastActiveAt ?? now);
      if (idle < this.options.idleTimeoutMs) continue;
      c.refusal = { reason: 'timeout-idle', detail: `nothing received for ${idle} ms` };
      void this.connections.stop(c);
    }
  }

  private ended(conn: Conn, reason: FailureReason, detail?: string): void {
    if (this.admission.release(conn.id, conn.remote?.id) && reason === 'stopped') {
      reason = 'duplicate';
      detail = 'both nodes dialled at once; the connection dialled by the smaller id was kept';
    }
    const node = conn.node;
    if (node) {
      if (node.direction === 'outbound') this.hub.hook('outboundNodeDisconnected', () => this.outboundNodeDisconnected(node), { type: 'outbound-node-disconnected', node, reason, detail });
      else this.hub.hook('inboundNodeDisconnected', () => this.inboundNodeDisconnected(node), { type: 'inbound-node-disconnected', node, reason, detail });
    } else if (conn.direction === 'outbound') {
      this.hub.emit({ type: 'connect-failed', host: conn.host, port: conn.port, reason, detail });
    } else if (reason !== 'stopped') {
      this.hub.emit({ type: 'inbound-refused', host: conn.host, port: conn.port, reason, detail });
    }
    if (conn.direction === 'outbound') this.dialler.ended(conn.id, reason, detail, this.stopping !== undefined);
  }
}

/** A connection's claim as admission weighs it (see Admission.winsTieBreak). */
function claimOf(conn: Conn): { direction: Conn['direction']; host: string; port: number } {
  return { direction: conn.direction, host: conn.host, port: conn.direction === 'inbound' ? (conn.remote?.port ?? conn.port) : conn.port };
}
