import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { Subject } from 'rxjs';
import type { PeerEvent } from './events.js';
import type { Executor, ExecutorCommand, PeerHandle, PeerSpec } from './executor.js';
import type { PeerEnd } from './run-peer.js';
import { formatAddress } from './address.js';

export interface PoolExecutorOptions {
  /** Worker threads (default 1: one worker holds thousands of idle sockets). */
  threads?: number;
  /** Upper bound on concurrent connections, for piscina's queue sizing. */
  maxConnections?: number;
}

/** Running from TypeScript sources (tests, tsx), workers need the TS loader and the "source" condition. */
function workerEntry(): { filename: string; execArgv: string[] } {
  const fromSource = import.meta.url.endsWith('.ts');
  const filename = new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url).href;
  const execArgv = [...process.execArgv];
  if (fromSource) {
    // tsx's CLI preloads .../tsx/dist/loader.mjs; `--import tsx` is the other way it gets in.
    const hasTsx = execArgv.some((a) => a === 'tsx' || a === '--import=tsx' || /[\\/]tsx[\\/]dist[\\/]/.test(a));
    if (!hasTsx) execArgv.push('--import', 'tsx');
    if (!execArgv.includes('--conditions=source')) execArgv.push('--conditions=source');
  }
  return { filename, execArgv };
}

/**
 * Runs each peer as a long-lived piscina task. Stop goes over the task's MessagePort, never piscina's
 * abort signal (a task with a signal gets a worker to itself, and abort kills the worker).
 */
export class PoolExecutor implements Executor {
  private readonly subject = new Subject<PeerEvent>();
  readonly events$ = this.subject.asObservable();
  private readonly pool: Piscina;
  private readonly live = new Set<PeerHandle>();

  constructor(options: PoolExecutorOptions = {}) {
    const threads = Math.max(1, options.threads ?? 1);
    const max = options.maxConnections ?? 20_000;
    const { filename, execArgv } = workerEntry();
    this.pool = new Piscina({
      filename,
      execArgv,
      minThreads: threads,
      maxThreads: threads,
      concurrentTasksPerWorker: Math.ceil(max / threads),
      maxQueue: max,
      idleTimeout: Infinity,
    });
  }

  spawn(spec: PeerSpec): PeerHandle {
    const channel = new MessageChannel();
    const main = channel.port1;
    main.on('message', (batch: PeerEvent[]) => {
      for (const e of batch) {
        this.subject.next(e);
        // The final state is the last event a peer sends: the port has done its work.
        if (e.type === 'state' && (e.state === 'failed' || e.state === 'closed')) main.close();
      }
    });
    const done: Promise<PeerEnd> = this.pool.run({ spec, port: channel.port2 }, { transferList: [channel.port2] }).then(
      (end: PeerEnd) => end,
      (err: Error) => {
        // The worker died or the protocol would not load: this peer is gone; say why.
        const end: PeerEnd = { state: 'failed', reason: 'worker-crash', detail: err.message };
        main.close();
        this.subject.next({ type: 'state', state: 'failed', reason: end.reason, detail: end.detail, peer: spec.id, address: formatAddress(spec.host, spec.port), at: Date.now() });
        return end;
      },
    );
    const send = (msg: ExecutorCommand) => {
      try {
        main.postMessage(msg);
      } catch {
        // port already closed: the peer has ended
      }
    };
    const handle: PeerHandle = {
      id: spec.id,
      command: (command) => send({ type: 'command', command }),
      stop: () => send({ type: 'stop' }),
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
    await new Promise((r) => setImmediate(r));
    await this.pool.destroy();
    this.subject.complete();
  }
}
