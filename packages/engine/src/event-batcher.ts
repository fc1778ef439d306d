import type { PeerEvent } from './events.js';

/**
 * Crossing a thread costs ~2 µs a postMessage: events are sent in batches, one per turn of the event
 * loop (setImmediate runs after all ready sockets were read, so a busy worker sends big batches).
 */
export class EventBatcher {
  private batch: PeerEvent[] = [];
  private scheduled = false;

  constructor(private readonly send: (events: PeerEvent[]) => void) {}

  push = (event: PeerEvent): void => {
    this.batch.push(event);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  };

  flush = (): void => {
    this.scheduled = false;
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    this.send(batch);
  };
}
