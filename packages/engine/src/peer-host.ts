import net from 'node:net';
import type { PeerEvent } from './events.js';
import type { ListenSpec, PeerSpec } from './executor.js';
import { formatAddress } from './address.js';
import { BurstCompactor } from './burst-compactor.js';
import { EventBatcher } from './event-batcher.js';
import { loadProtocol } from './load-protocol.js';
import { runPeer, type PeerRun } from './run-peer.js';

/** A peer whose protocol module is still loading: what it was told meanwhile. */
interface Loading {
  commands: unknown[];
  stopped: boolean;
}

interface OpenListener {
  spec: ListenSpec;
  server: net.Server;
  accepted: number;
  open: number;
}

/**
 * Runs peers on the thread it lives on: the in-process executor's engine, and each pool worker's.
 * Its events leave in batches, one per turn of the event loop, through `emit`.
 */
export class PeerHost {
  private readonly runs = new Map<string, PeerRun | Loading>();
  private readonly listeners = new Map<string, OpenListener>();
  private readonly batcher: EventBatcher;
  private readonly compactor: BurstCompactor;

  constructor(emit: (events: PeerEvent[]) => void, compactor = new BurstCompactor()) {
    this.batcher = new EventBatcher(emit);
    this.compactor = compactor;
  }

  get size(): number {
    return this.runs.size;
  }

  /** `onEnd` runs once the peer has ended, however it ended (a listener counts its open connections). */
  spawn(spec: PeerSpec, socket?: net.Socket, onEnd?: () => void): void {
    const loading: Loading = { commands: [], stopped: false };
    this.runs.set(spec.id, loading);
    this.compactor.peerStarted();
    loadProtocol(spec.protocol).then(
      (protocol) => {
        if (loading.stopped && !socket) {
          this.runs.delete(spec.id);
          onEnd?.();
          return this.report(spec, { type: 'state', state: 'closed', reason: 'stopped' });
        }
        const run = runPeer({ ...spec, protocol, socket, onEvent: this.batcher.push });
        this.runs.set(spec.id, run);
        for (const c of loading.commands) run.command(c);
        if (loading.stopped) run.stop();
        void run.done.then(() => {
          if (this.runs.get(spec.id) === run) this.runs.delete(spec.id);
          onEnd?.();
        });
      },
      (err: Error) => {
        socket?.destroy();
        this.runs.delete(spec.id);
        onEnd?.();
        this.report(spec, { type: 'state', state: 'failed', reason: 'internal', detail: `protocol ${spec.protocol} did not load: ${err.message}` });
      },
    );
  }

  command(id: string, command: unknown): void {
    const run = this.runs.get(id);
    if (!run) return;
    if ('commands' in run) run.commands.push(command);
    else run.command(command);
  }

  stop(id: string): void {
    const run = this.runs.get(id);
    if (!run) return;
    if ('commands' in run) run.stopped = true;
    else run.stop();
  }

  /** Listens; resolves with the bound port. Errors (EADDRINUSE, EACCES) reject with Node's error. */
  async listen(spec: ListenSpec): Promise<number> {
    const listener: OpenListener = { spec, server: net.createServer((socket) => this.accept(listener, socket)), accepted: 0, open: 0 };
    await new Promise<void>((resolve, reject) => {
      listener.server.once('error', reject);
      listener.server.listen(spec.port, spec.host, () => {
        listener.server.removeListener('error', reject);
        resolve();
      });
    });
    this.listeners.set(spec.id, listener);
    return (listener.server.address() as net.AddressInfo).port;
  }

  async unlisten(id: string): Promise<void> {
    const listener = this.listeners.get(id);
    if (!listener) return;
    this.listeners.delete(id);
    // close() stops accepting at once; its callback would wait for every accepted connection to end.
    listener.server.close();
  }

  /** Stops listening and every peer; resolves when all have ended and their events have left. */
  async close(): Promise<void> {
    this.compactor.stop();
    await Promise.all([...this.listeners.keys()].map((id) => this.unlisten(id)));
    const running = [...this.runs.values()].filter((r): r is PeerRun => !('commands' in r));
    for (const id of [...this.runs.keys()]) this.stop(id);
    await Promise.all(running.map((r) => r.done));
    // Peers still loading end on their own turn; let them report.
    while (this.runs.size > 0) await new Promise((r) => setImmediate(r));
    this.batcher.flush();
  }

  private accept(listener: OpenListener, socket: net.Socket): void {
    const { spec } = listener;
    const id = `${spec.id}/${++listener.accepted}`;
    const host = unmapped(socket.remoteAddress ?? '');
    const port = socket.remotePort ?? 0;
    const peer: PeerSpec = { id, host, port, protocol: spec.protocol, config: spec.config, timeouts: spec.timeouts };
    if (spec.maxConnections && listener.open >= spec.maxConnections) {
      socket.destroy();
      this.report(peer, { type: 'state', state: 'connecting', direction: 'inbound' });
      this.report(peer, { type: 'state', state: 'failed', reason: 'flood', detail: `maxConnections (${spec.maxConnections}) reached` });
      return;
    }
    listener.open++;
    this.spawn(peer, socket, () => listener.open--);
  }

  private report(spec: PeerSpec, body: PeerEvent extends infer E ? (E extends PeerEvent ? Omit<E, 'peer' | 'address' | 'at'> : never) : never): void {
    this.batcher.push({ ...body, peer: spec.id, address: formatAddress(spec.host, spec.port), at: Date.now() } as PeerEvent);
  }
}

/** Dual-stack servers report IPv4 peers as ::ffff:a.b.c.d. */
function unmapped(host: string): string {
  return host.startsWith('::ffff:') ? host.slice(7) : host;
}
