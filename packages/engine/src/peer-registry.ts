import { Observable, Subject } from 'rxjs';
import type { PeerEnd, PeerEvent } from './events.js';
import type { PeerHandle } from './executor.js';

/** Where a peer runs: what the registry calls to reach it. */
export interface PeerControl {
  command(id: string, command: unknown): void;
  stop(id: string): void;
}

interface Entry {
  handle: PeerHandle;
  address: string;
  resolve(end: PeerEnd): void;
  control: PeerControl;
}

/**
 * What both executors keep on the calling thread: the merged event stream and a handle for every peer
 * still running. A peer is done when its final event has been delivered, so whoever awaits `done` has
 * seen all of that peer's events.
 */
export class PeerRegistry {
  private readonly subject = new Subject<readonly PeerEvent[]>();
  readonly batches$ = this.subject.asObservable();
  /** One by one, without an operator chain per event: a loop over each batch. */
  readonly events$ = new Observable<PeerEvent>((subscriber) =>
    this.subject.subscribe({
      next: (batch) => {
        for (const e of batch) subscriber.next(e);
      },
      complete: () => subscriber.complete(),
    }),
  );
  private readonly live = new Map<string, Entry>();

  /** A handle for a peer about to run at `control`. */
  add(id: string, address: string, control: PeerControl): PeerHandle {
    let resolve!: (end: PeerEnd) => void;
    const done = new Promise<PeerEnd>((r) => (resolve = r));
    const handle: PeerHandle = { id, command: (c) => control.command(id, c), stop: () => control.stop(id), done };
    this.live.set(id, { handle, address, resolve, control });
    return handle;
  }

  get(id: string): PeerHandle | undefined {
    return this.live.get(id)?.handle;
  }

  /**
   * Delivers a batch: inbound peers announce themselves with their first event (`control` is where
   * they run); final events end their peers.
   */
  deliver(events: readonly PeerEvent[], control?: PeerControl): void {
    let ended: Array<[Entry, PeerEnd]> | undefined;
    for (const e of events) {
      if (e.type !== 'state') continue;
      if (e.state === 'connecting' && e.direction === 'inbound' && control && !this.live.has(e.peer)) this.add(e.peer, e.address, control);
      else if (e.state === 'failed' || e.state === 'closed') {
        const entry = this.live.get(e.peer);
        if (!entry) continue;
        this.live.delete(e.peer);
        (ended ??= []).push([entry, { state: e.state, reason: e.reason ?? 'stopped', ...(e.detail !== undefined && { detail: e.detail }) }]);
      }
    }
    this.subject.next(events);
    if (ended) for (const [entry, end] of ended) entry.resolve(end);
  }

  /** Peers that can no longer run (their worker died): each ends failed with `reason`, said once. */
  fail(where: PeerControl, reason: 'worker-crash' | 'internal', detail: string): void {
    const at = Date.now();
    const events: PeerEvent[] = [];
    for (const [id, entry] of this.live) {
      if (entry.control !== where) continue;
      events.push({ type: 'state', state: 'failed', reason, detail, peer: id, address: entry.address, at });
    }
    if (events.length > 0) this.deliver(events);
  }

  /** Stops every live peer and waits for all to end. */
  async stopAll(): Promise<void> {
    const all = [...this.live.values()];
    for (const { handle } of all) handle.stop();
    await Promise.all(all.map(({ handle }) => handle.done));
  }

  get size(): number {
    return this.live.size;
  }

  complete(): void {
    this.subject.complete();
  }
}
