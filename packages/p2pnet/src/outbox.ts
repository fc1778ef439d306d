import type { Payload } from './message.js';

/**
 * Messages waiting to be written to one connection. Everything sent in the same tick leaves in one
 * command, so in one write (a write per message costs a syscall each) and, when the connection runs
 * in a worker, one postMessage; a message still being compressed (lzma runs asynchronously) holds back
 * the ones behind it, so the order of sends is the order on the wire.
 */
export class Outbox {
  private items: (Payload | Promise<Uint8Array>)[] = [];
  private head = 0;
  private scheduled = false;
  private waiting = false;

  constructor(
    private readonly write: (payloads: Payload[]) => void,
    private readonly failed: (err: unknown) => void,
  ) {}

  push(item: Payload | Promise<Uint8Array>): void {
    this.items.push(item);
    if (!this.scheduled && !this.waiting) {
      this.scheduled = true;
      queueMicrotask(this.flush);
    }
  }

  /** Messages not yet handed to the socket. */
  get size(): number {
    return this.items.length - this.head;
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const batch: Payload[] = [];
    while (this.head < this.items.length) {
      const item = this.items[this.head];
      if (item instanceof Promise) {
        this.waiting = true;
        item.then(
          (bytes) => { this.items[this.head] = bytes; },
          (err) => { this.head++; this.failed(err); },
        ).finally(() => {
          this.waiting = false;
          this.flush();
        });
        break;
      }
      batch.push(item);
      this.head++;
    }
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    }
    if (batch.length > 0) this.write(batch);
  };
}
