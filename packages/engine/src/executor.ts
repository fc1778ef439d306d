import type { Observable } from 'rxjs';
import type { PackedEvents } from './event-batcher.js';
import type { PeerEnd, PeerEvent } from './events.js';
import type { PeerTimeouts } from './peer-machine.js';

/** What an executor needs to run one outbound connection. Structured-clone-safe: it crosses into workers. */
export interface PeerSpec {
  /** Unique connection id. */
  id: string;
  host: string;
  port: number;
  /** The peer's identity when its address carries one (see parsePeerAddress); handed to the protocol. */
  key?: string;
  /** Module specifier (a file URL) whose default export is the Protocol; workers import it. */
  protocol: string;
  /** Plain data (no functions): it crosses the thread boundary by structured clone. */
  config: unknown;
  timeouts?: Partial<PeerTimeouts>;
}

/**
 * A server whose every accepted connection is a peer on the executor (in a worker, the server lives in
 * that worker: Node cannot hand a socket to another thread). Accepted peers get ids `${id}/${n}`; their
 * first event is `state connecting` with `direction: 'inbound'`.
 */
export interface ListenSpec {
  /** Unique listener id; prefixes the ids of the peers it accepts. */
  id: string;
  host: string;
  /** 0 picks a free port (read Listener.port). */
  port: number;
  protocol: string;
  config: unknown;
  timeouts?: Partial<PeerTimeouts>;
  /**
   * Inbound connections open at once; past it an accepted socket is closed at once and reported as a
   * peer failed with 'flood' (0: no limit).
   */
  maxConnections?: number;
}

export interface Listener {
  readonly id: string;
  /** The port bound (the real one when ListenSpec.port was 0). */
  readonly port: number;
  /** Stops accepting; the peers already accepted go on until stopped. */
  close(): Promise<void>;
}

export interface PeerHandle {
  readonly id: string;
  command(command: unknown): void;
  stop(): void;
  /** Resolves after the peer's final event has been delivered on the executor's streams. */
  readonly done: Promise<PeerEnd>;
}

/** Runs peer machines somewhere (this thread, or a worker pool) and merges their events into one stream. */
export interface Executor {
  /**
   * Every PeerEvent, in batches: one per worker message, or per turn of the event loop in-process. Each
   * peer's events are in the order it produced them. Consumers that reduce (stats) take batches.
   */
  readonly batches$: Observable<readonly PeerEvent[]>;
  /** The same events one by one. */
  readonly events$: Observable<PeerEvent>;
  spawn(spec: PeerSpec): PeerHandle;
  listen(spec: ListenSpec): Promise<Listener>;
  /** A running peer, outbound or accepted by a listener; undefined once it has ended. */
  peer(id: string): PeerHandle | undefined;
  /** A full garbage collection on every thread that runs peers (for memory figures, or after a burst). */
  collectGarbage(): Promise<void>;
  /** The V8 heap of every thread that runs peers (this thread for the in-process executor, each worker for the pool). */
  heapStatistics(): Promise<HeapStatistics[]>;
  /** A V8 heap snapshot of every thread that runs peers, written into `directory`; resolves with the files. */
  writeHeapSnapshots(directory: string): Promise<string[]>;
  /** Closes every listener, stops every peer and waits for them to end. */
  close(): Promise<void>;
}

/** Main thread → worker. Specs travel without their config, sent once per worker under `configId`. */
export type WorkerCommand =
  | { type: 'config'; id: number; config: unknown }
  | { type: 'spawn'; spec: Omit<PeerSpec, 'config'>; configId: number }
  | { type: 'listen'; spec: Omit<ListenSpec, 'config'>; configId: number }
  | { type: 'unlisten'; id: string }
  | { type: 'command'; id: string; command: unknown }
  | { type: 'stop'; id: string }
  | { type: 'gc'; id: number }
  | { type: 'heap'; id: number }
  | { type: 'heap-snapshot'; id: number; file: string }
  | { type: 'close' };

/** Worker → main thread. */
export type WorkerReport =
  | { type: 'events'; packed: PackedEvents }
  | { type: 'listening'; id: string; port: number }
  | { type: 'listen-failed'; id: string; message: string; code?: string }
  | { type: 'unlistened'; id: string }
  | { type: 'gc-done'; id: number }
  | { type: 'heap'; id: number; heap: HeapStatistics }
  | { type: 'heap-snapshot'; id: number; file: string };

/** What v8.getHeapStatistics() says of one thread, in bytes. */
export interface HeapStatistics {
  used: number;
  total: number;
  /** Memory V8 has reserved from the system for this heap. */
  physical: number;
  external: number;
}
