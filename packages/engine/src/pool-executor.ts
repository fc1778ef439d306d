import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { PeerEvent } from './events.js';
import type { Executor, ExecutorCommand, PeerHandle, PeerSpec } from './executor.js';
import type { PeerEnd } from './events.js';
import { PeerRegistry } from './peer-registry.js';

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
  private readonly registry = new PeerRegistry();
  readonly events$ = this.registry.events.asObservable();
  private readonly pool: Piscina;

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
    let finalSeen!: () => void;
    // The task's result and the events travel on different channels: a peer is done only when its
    // final state event has arrived too, so whoever awaits `done` sees every event of that peer.
    const lastEvent = new Promise<void>((resolve) => (finalSeen = resolve));
    main.on('message', (batch: PeerEvent[]) => {
      for (const e of batch) {
        this.registry.events.next(e);
        if (e.type === 'state' && (e.state === 'failed' || e.state === 'closed')) {
          main.close();
          finalSeen();
        }
      }
    });
    const done: Promise<PeerEnd> = this.pool.run({ spec, port: channel.port2 }, { transferList: [channel.port2] }).then(
      async (end: PeerEnd) => {
        await lastEvent;
        return end;
      },
      (err: Error) => {
        // The worker died or the protocol would not load: this peer is gone; say why.
        main.close();
        return this.registry.failedToRun(spec, err);
      },
    );
    const send = (msg: ExecutorCommand) => {
      try {
        main.postMessage(msg);
      } catch {
        // port already closed: the peer has ended
      }
    };
    return this.registry.track({
      id: spec.id,
      command: (command) => send({ type: 'command', command }),
      stop: () => send({ type: 'stop' }),
      done,
    });
  }

  async close(): Promise<void> {
    await this.registry.stopAll();
    await new Promise((r) => setImmediate(r));
    await this.pool.destroy();
    this.registry.events.complete();
  }
}
