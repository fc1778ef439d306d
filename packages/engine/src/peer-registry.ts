import { Subject } from 'rxjs';
import type { PeerEvent } from './events.js';
import type { PeerHandle, PeerSpec } from './executor.js';
import type { PeerEnd } from './events.js';
import { formatAddress } from './address.js';

/** What both executors keep: the merged event stream and the peers still running. */
export class PeerRegistry {
  readonly events = new Subject<PeerEvent>();
  private readonly live = new Set<PeerHandle>();

  track(handle: PeerHandle): PeerHandle {
    this.live.add(handle);
    void handle.done.then(() => this.live.delete(handle));
    return handle;
  }

  /** A peer that could not run at all (its protocol did not load, its worker died): say why, as its end. */
  failedToRun(spec: PeerSpec, err: Error): PeerEnd {
    const end: PeerEnd = { state: 'failed', reason: 'worker-crash', detail: err.message };
    this.events.next({ type: 'state', state: 'failed', reason: end.reason, detail: end.detail, peer: spec.id, address: formatAddress(spec.host, spec.port), at: Date.now() });
    return end;
  }

  /** Stops every live peer and waits for all to end. */
  async stopAll(): Promise<void> {
    const all = [...this.live];
    for (const h of all) h.stop();
    await Promise.all(all.map((h) => h.done));
  }
}
