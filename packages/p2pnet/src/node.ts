import { filter, type Observable } from 'rxjs';
import type { FailureReason, PeerTimeouts } from '@peerscope/engine';
import type { Framing } from './codec.js';
import type { Compression } from './compression.js';
import { Admission } from './admission.js';
import { Connections, type Conn, type ConnectionsOwner, type ExecutorChoice } from './connections.js';
import { ConnectError, DEFAULT_RECONNECT, Dialler, type ReconnectPolicy } from './dialler.js';
import { EventHub } from './event-hub.js';
import { defaultNodeId } from './id.js';
import { DEFAULT_HANDSHAKE_SETTLE_MS, DEFAULT_MAX_MESSAGE_SIZE } from './limits.js';
import { messageValue, outgoingPacket, type MessageData, type Payload } from './message.js';
import { NodeConnection } from './node-connection.js';
import type { NodeEvent, NodeEventOf, NodeEventType } from './node-events.js';
import type { AdmitRequest, DecodeError, P2pConfig, Verdict } from './protocol.js';

export { ConnectError, type ReconnectPolicy };

export interface NodeOptions extends ExecutorChoice {
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
  private readonly options: Required<Pick<NodeOptions, 'maxConnections' | 'framing' | 'maxMessageSize' | 'settleMs'>>;
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
    };
    this.events$ = this.hub.events$;
    this.connections = new Connections(nodeOptions, nodeOptions.timeouts, this.connectionsOwner());
    this.admission = new Admission(this.id, (connId) => {
      const conn = this.connections.get(connId);
      return conn && { direction: conn.direction, stop: () => void this.connections.stop(conn) };
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
    this.started ??= this.connections.listen(this.host, this.nodeOptions.port, this.options.maxConnections, this.config()).then((port) => {
      this.listenPort = port;
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
      const { framing, maxMessageSize, settleMs } = this.options;
      this.configCache = { id: this.id, port: this.listenPort, framing, maxMessageSize, settleMs };
    }
    return this.configCache;
  }

  private encode(data: MessageData, compression?: Compression | 'none'): Payload | Promise<Uint8Array> {
    return outgoingPacket(data, compression, this.options);
  }

  /** How the node reacts to its connections' lives: admission, hooks, counters, dial outcomes. */
  private connectionsOwner(): ConnectionsOwner {
    return {
      admit: (conn: Conn, remote: AdmitRequest): Verdict => this.admission.decide(conn.id, conn.direction, remote.id),
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
        this.hub.emit({ type: 'message-error', node, error: message, reason });
      },
      sendFailed: ({ node }: ReadyConn, err: unknown) => {
        this.messageCount.errors++;
        this.hub.emit({ type: 'message-error', node, error: String((err as Error)?.message ?? err) });
      },
      ended: (conn: Conn, reason: FailureReason, detail?: string) => this.ended(conn, reason, detail),
    };
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
