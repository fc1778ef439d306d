import type { Subscription } from 'rxjs';
import { InProcessExecutor, PoolExecutor, parseAddress, type Executor, type FailureReason, type Listener, type PeerEvent, type PeerHandle, type PeerTimeouts } from '@peerscope/engine';
import type { Direction } from '@peerscope/engine/protocol';
import type { NodeConnection } from './node-connection.js';
import type { Payload } from './message.js';
import { Outbox } from './outbox.js';
import { protocolModule, type AdmitRequest, type DecodeError, type P2pCommand, type P2pConfig, type Verdict } from './protocol.js';

/** One connection of the node, from its first event to its last. */
export interface Conn {
  /** The executor's peer id. */
  readonly id: string;
  readonly direction: Direction;
  readonly host: string;
  readonly port: number;
  /** The remote node, once its handshake told us. */
  remote?: AdmitRequest;
  /** Set once ready: the application's view of it, and what it sends through. */
  node?: NodeConnection;
  outbox?: Outbox;
  handle?: PeerHandle;
  /** Set once the node admitted it (its handshake then finishes). */
  admitted?: boolean;
  /** When it last delivered a message (or was admitted): idle connections may be evicted. */
  lastActiveAt?: number;
  /** Why the node closed it before its handshake ended, reported instead of 'stopped'. */
  refusal?: { reason: FailureReason; detail: string };
}

/** The node's answer to an admit question. */
export interface AdmitAnswer {
  verdict: Verdict;
  detail?: string;
}

/** What a node hears from its connections. */
export interface ConnectionsOwner {
  /** A connection our listener just accepted: a reason to close it at once, or undefined. */
  accepted(conn: Conn): { reason: FailureReason; detail: string } | undefined;
  /** A handshake asks whether to keep the connection. */
  admit(conn: Conn, remote: AdmitRequest): AdmitAnswer;
  /** Handshake done: the application's view of the connection. */
  nodeFor(conn: Conn & { remote: AdmitRequest }): NodeConnection;
  /** Handshake done, and the connection can send. */
  ready(conn: Conn & { node: NodeConnection }): void;
  /** Message contents as decoded beside the socket: text still to be parsed as JSON, or bytes. */
  messages(conn: Conn & { node: NodeConnection }, contents: readonly Payload[]): void;
  decodeError(conn: Conn & { node: NodeConnection }, error: DecodeError): void;
  sendFailed(conn: Conn & { node: NodeConnection }, error: unknown): void;
  ended(conn: Conn, reason: FailureReason, detail?: string): void;
}

export interface ExecutorChoice {
  /** Run the connections here; the node neither owns nor closes it (several nodes may share one). */
  executor?: Executor;
  /** Otherwise: worker threads of the node's own pool (default 1); 0 runs connections on the node's thread. */
  threads?: number;
}

/** After a worker crash, how long and how often the node checks that its listener still listens. */
const RELISTEN_WINDOW_MS = 10_000;
const RELISTEN_EVERY_MS = 250;

/** Tells apart the connections of nodes sharing one executor. */
let nodesMade = 0;

/**
 * A node's connections on its executor: the listener, outbound dials, and the events of both routed
 * back to the owner. Each connection runs the p2pnet protocol as an engine peer machine, on this
 * thread or in a worker; only data crosses (config, commands, events).
 */
export class Connections {
  private readonly conns = new Map<string, Conn>();
  private readonly tag = `p2pnet-${++nodesMade}`;
  private readonly acceptedPrefix = `${this.tag}:in/`;
  private running?: { executor: Executor; owned: boolean; subscription: Subscription };
  private listener?: Listener;
  private listenArgs?: { host: string; maxConnections: number; config: P2pConfig };
  private relistening?: Promise<void>;
  private watching = false;
  private watchUntil = 0;
  private closing = false;
  private dials = 0;

  constructor(
    private readonly choice: ExecutorChoice,
    private readonly timeouts: Partial<PeerTimeouts> | undefined,
    private readonly owner: ConnectionsOwner,
  ) {}

  /** Listens for inbound connections; resolves with the port bound. */
  /** `maxConnections` here counts every accepted socket, handshaking or not (the node's own limit is on admitted ones). */
  async listen(host: string, port: number, maxConnections: number, config: P2pConfig): Promise<number> {
    this.listener = await this.executor().listen({
      id: `${this.tag}:in`, host, port, protocol: protocolModule, config, timeouts: this.timeouts, maxConnections,
    });
    this.listenArgs = { host, maxConnections, config };
    return this.listener.port;
  }

  /**
   * A worker died. Its listener, if the listener ran there, died with it (the executor fails the
   * worker's peers, not its listeners), and nothing reports that. So for a while after every crash
   * the node tries to listen again on the same port: while the listener lives the port is taken and
   * the attempt fails harmlessly (EADDRINUSE); once it is gone, the attempt takes its place. A window,
   * not one try, because the fresh worker may die too (a crash storm) and a listener that ran on it
   * would leave no trace.
   */
  private watchListener(): void {
    if (this.closing || !this.listener || !this.listenArgs) return;
    this.watchUntil = Date.now() + RELISTEN_WINDOW_MS;
    if (this.watching) return;
    this.watching = true;
    const attempt = async (): Promise<void> => {
      while (!this.closing && Date.now() < this.watchUntil) {
        const { host, maxConnections, config } = this.listenArgs!;
        this.relistening = this.executor()
          .listen({ id: `${this.tag}:in`, host, port: this.listener!.port, protocol: protocolModule, config, timeouts: this.timeouts, maxConnections })
          .then((listener) => {
            if (this.closing) return void listener.close();
            this.listener = listener;
          }, () => {});
        await this.relistening;
        this.relistening = undefined;
        await new Promise((r) => setTimeout(r, RELISTEN_EVERY_MS).unref());
      }
      this.watching = false;
    };
    void attempt();
  }

  dial(host: string, port: number, config: P2pConfig): string {
    const id = `${this.tag}:out-${++this.dials}`;
    const conn: Conn = { id, direction: 'outbound', host, port };
    this.conns.set(id, conn);
    conn.handle = this.executor().spawn({ id, host, port, protocol: protocolModule, config, timeouts: this.timeouts });
    return id;
  }

  get(id: string): Conn | undefined {
    return this.conns.get(id);
  }

  /** Every connection from its first event to its last. */
  all(): IterableIterator<Conn> {
    return this.conns.values();
  }

  /** The connections past their handshake, as the application sees them. */
  ready(): NodeConnection[] {
    const out: NodeConnection[] = [];
    for (const c of this.conns.values()) if (c.node) out.push(c.node);
    return out;
  }

  readyConns(): (Conn & { node: NodeConnection; outbox: Outbox })[] {
    return [...this.conns.values()].filter((c): c is Conn & { node: NodeConnection; outbox: Outbox } => c.node !== undefined && c.outbox !== undefined);
  }

  /** Stops a connection; resolves when it has ended (its last event delivered). */
  stop(conn: Conn): Promise<unknown> {
    const handle = this.handle(conn);
    if (!handle) return Promise.resolve();
    handle.stop();
    return handle.done;
  }

  /** Stops listening and every connection; closes the executor if the node made it. */
  async close(): Promise<void> {
    this.closing = true;
    await this.relistening;
    await this.listener?.close();
    await Promise.all([...this.conns.values()].map((c) => this.stop(c)));
    if (this.running?.owned) await this.running.executor.close();
    this.running?.subscription.unsubscribe();
  }

  private executor(): Executor {
    if (!this.running) {
      const { executor: given, threads = 1 } = this.choice;
      const executor = given ?? (threads === 0 ? new InProcessExecutor() : new PoolExecutor({ threads }));
      const subscription = executor.batches$.subscribe((batch) => {
        for (const e of batch) this.route(e);
      });
      this.running = { executor, owned: !given, subscription };
    }
    return this.running.executor;
  }

  private handle(conn: Conn): PeerHandle | undefined {
    return (conn.handle ??= this.running?.executor.peer(conn.id));
  }

  private command(conn: Conn, command: P2pCommand): void {
    this.handle(conn)?.command(command);
  }

  private route(e: PeerEvent): void {
    let conn = this.conns.get(e.peer);
    if (!conn) {
      // Not ours (another node shares the executor), or a connection our listener just accepted.
      if (!e.peer.startsWith(this.acceptedPrefix)) return;
      conn = { id: e.peer, direction: 'inbound', ...remoteAddress(e.address) };
      this.conns.set(e.peer, conn);
      const refusal = e.type === 'state' && e.state === 'failed' ? undefined : this.owner.accepted(conn);
      if (refusal) {
        conn.refusal = refusal;
        void this.stop(conn);
      }
    }
    switch (e.type) {
      case 'app':
        return this.onApp(conn, e.name, e.data);
      case 'state':
        if (e.state === 'ready') return this.onReady(conn);
        if (e.state === 'failed' || e.state === 'closed') {
          this.conns.delete(conn.id);
          if (e.reason === 'worker-crash') queueMicrotask(() => this.watchListener());
          const refused = conn.refusal && (e.reason ?? 'stopped') === 'stopped' ? conn.refusal : undefined;
          this.owner.ended(conn, refused?.reason ?? e.reason ?? 'stopped', refused?.detail ?? e.detail);
        }
        return;
      default:
        return;
    }
  }

  private onApp(conn: Conn, name: string, data: unknown): void {
    if (name === 'admit') {
      conn.remote = data as AdmitRequest;
      const answer = this.owner.admit(conn, conn.remote);
      if (answer.verdict === 'admit') {
        conn.admitted = true;
        conn.lastActiveAt = Date.now();
      }
      return this.command(conn, { type: 'admit', ...answer });
    }
    if (!isReady(conn)) return;
    if (name === 'messages') {
      conn.lastActiveAt = Date.now();
      this.owner.messages(conn, data as Payload[]);
    }
    else if (name === 'decode-error') this.owner.decodeError(conn, data as DecodeError);
  }

  private onReady(conn: Conn): void {
    if (!conn.remote) return;
    const ready = conn as Conn & { node: NodeConnection };
    ready.node = this.owner.nodeFor(conn as Conn & { remote: AdmitRequest });
    conn.outbox = new Outbox(
      (payloads) => this.command(conn, { type: 'send', payloads }),
      (err) => this.owner.sendFailed(ready, err),
    );
    this.owner.ready(ready);
  }
}

function isReady(conn: Conn): conn is Conn & { node: NodeConnection } {
  return conn.node !== undefined;
}

/** An accepted connection's remote side, from its events' address (IPv4-mapped IPv6 shown as IPv4). */
function remoteAddress(address: string): { host: string; port: number } {
  try {
    const { host, port } = parseAddress(address);
    return { host: host.startsWith('::ffff:') ? host.slice(7) : host, port };
  } catch {
    return { host: address, port: 0 };
  }
}
