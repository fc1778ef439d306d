import type { Observable } from 'rxjs';
import type { PeerEvent } from './events.js';
import type { PeerTimeouts } from './peer-machine.js';
import type { PeerEnd } from './events.js';

/** What an executor needs to run one outbound connection. Structured-clone-safe: it crosses into workers. */
export interface PeerSpec<Config = unknown> {
  /** Unique connection id. */
  id: string;
  host: string;
  port: number;
  /** The peer's identity when its address carries one (see parsePeerAddress); handed to the protocol. */
  key?: string;
  /** Module specifier (a file URL) whose default export is the Protocol; workers import it. */
  protocol: string;
  config: Config;
  timeouts?: Partial<PeerTimeouts>;
}

export interface PeerHandle {
  readonly id: string;
  command(command: unknown): void;
  stop(): void;
  readonly done: Promise<PeerEnd>;
}

/** Runs peer machines somewhere (this thread, or a worker pool) and merges their events into one stream. */
export interface Executor {
  readonly events$: Observable<PeerEvent>;
  spawn(spec: PeerSpec): PeerHandle;
  /** Stops every peer and waits for them to end. */
  close(): Promise<void>;
}

export type ExecutorCommand = { type: 'stop' } | { type: 'command'; command: unknown };
