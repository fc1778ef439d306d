import { Subject } from 'rxjs';
import type { PeerEvent } from './events.js';
import type { Executor, PeerHandle, PeerSpec } from './executor.js';
import { loadProtocol } from './load-protocol.js';
import { runPeer, type PeerEnd, type PeerRun } from './run-peer.js';
import { formatAddress } from './address.js';

/** Runs peer machines on this thread: for embedding, debugging (`--threads 0`) and tests. */
export class InProcessExecutor implements Executor {
  private readonly subject = new Subject<PeerEvent>();
  readonly events$ = this.subject.asObservable();
  private readonly live = new Set<PeerHandle>();

  spawn(spec: PeerSpec): PeerHandle {
    let run: PeerRun | undefined;
    let stopped = false;
    const pending: unknown[] = [];
    const done: Promise<PeerEnd> = loadProtocol(spec.protocol).then(
      (protocol) => {
        run = runPeer({ ...spec, protocol, onEvent: (e) => this.subject.next(e) });
        for (const c of pending) run.command(c);
        if (stopped) run.stop();
        return run.done;
      },
      (err: Error) => {
        // The protocol module did not load: the peer cannot start; say so as a failure of that peer.
        const end: PeerEnd = { state: 'failed', reason: 'worker-crash', detail: err.message };
        this.subject.next({ type: 'state', state: 'failed', reason: end.reason, detail: end.detail, peer: spec.id, address: formatAddress(spec.host, spec.port), at: Date.now() });
        return end;
      },
    );
    const handle: PeerHandle = {
      id: spec.id,
      command: (c) => (run ? run.command(c) : pending.push(c)),
      stop: () => {
        stopped = true;
        run?.stop();
      },
      done,
    };
    this.live.add(handle);
    void done.then(() => this.live.delete(handle));
    return handle;
  }

  async close(): Promise<void> {
    const all = [...this.live];
    for (const h of all) h.stop();
    await Promise.all(all.map((h) => h.done));
    this.subject.complete();
  }
}
