import type { Executor, PeerHandle, PeerSpec } from './executor.js';
import { loadProtocol } from './load-protocol.js';
import { PeerRegistry } from './peer-registry.js';
import type { PeerEnd } from './events.js';
import { runPeer, type PeerRun } from './run-peer.js';

/** Runs peer machines on this thread: for embedding, debugging (`--threads 0`) and tests. */
export class InProcessExecutor implements Executor {
  private readonly registry = new PeerRegistry();
  readonly events$ = this.registry.events.asObservable();

  spawn(spec: PeerSpec): PeerHandle {
    let run: PeerRun | undefined;
    let stopped = false;
    const pending: unknown[] = [];
    const done: Promise<PeerEnd> = loadProtocol(spec.protocol).then(
      (protocol) => {
        run = runPeer({ ...spec, protocol, onEvent: (e) => this.registry.events.next(e) });
        for (const c of pending) run.command(c);
        if (stopped) run.stop();
        return run.done;
      },
      (err: Error) => this.registry.failedToRun(spec, err),
    );
    return this.registry.track({
      id: spec.id,
      command: (c) => (run ? run.command(c) : pending.push(c)),
      stop: () => {
        stopped = true;
        run?.stop();
      },
      done,
    });
  }

  async close(): Promise<void> {
    await this.registry.stopAll();
    this.registry.events.complete();
  }
}
