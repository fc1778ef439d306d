import { join } from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { Executor, HeapStatistics, ListenSpec, Listener, PeerHandle, PeerSpec, WorkerCommand, WorkerReport } from './executor.js';
import { formatAddress } from './address.js';
import { collectGarbage } from './collect-garbage.js';
import { EventUnpacker } from './event-batcher.js';
import { PeerRegistry, type PeerControl } from './peer-registry.js';

export interface PoolExecutorOptions {
  /** Worker threads (default 1: one worker holds thousands of idle sockets). */
  threads?: number;
  /** Kept for compatibility: connections per worker are not limited by the pool. */
  maxConnections?: number;
  /**
   * Each worker's young generation, in MB (default DEFAULT_WORKER_YOUNG_GENERATION_MB). V8 grows it to
   * 48 MB under a connection burst and keeps it: 40 KB a peer at 1,000 peers, for no speed a monitor needs.
   */
  youngGenerationMb?: number;
  /**
   * Node options of the workers (default: this process's, plus the TypeScript loader when running from
   * sources). A program run through a loader (tsx) that its workers do not need may pass [].
   */
  execArgv?: string[];
}

export const DEFAULT_WORKER_YOUNG_GENERATION_MB = 6;

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

/** One worker's host task, seen from the main thread: where its peers are reached. */
class WorkerSlot implements PeerControl {
  peers = 0;
  alive = true;
  readonly configsSent = new Set<number>();
  readonly listening = new Map<string, { resolve(port: number): void; reject(err: Error): void }>();
  readonly unlistening = new Map<string, () => void>();
  /** Requests awaiting the worker's answer (gc, heap), by id. */
  readonly answers = new Map<number, (value: unknown) => void>();
  /** The other end of the worker's EventPacker: its string table lives as long as the channel. */
  readonly unpacker = new EventUnpacker();
  readonly task: Promise<void>;

  constructor(readonly port: MessagePort, run: (port: MessagePort) => Promise<void>, transfer: MessagePort) {
    this.task = run(transfer);
  }

  post(msg: WorkerCommand): void {
    if (!this.alive) return;
    try {
      this.port.postMessage(msg);
    } catch {
      // the worker is gone: its crash handler fails its peers
    }
  }

  command(id: string, command: unknown): void {
    this.post({ type: 'command', id, command });
  }

  stop(id: string): void {
    this.post({ type: 'stop', id });
  }
}

/**
 * Runs peers in a piscina pool: one long-lived host task per worker thread, each holding many peers;
 * the main thread places each new peer on the least loaded worker. A worker that dies fails its peers
 * with 'worker-crash' and is replaced.
 */
export class PoolExecutor implements Executor {
  private readonly registry = new PeerRegistry();
  readonly batches$ = this.registry.batches$;
  readonly events$ = this.registry.events$;
  private readonly pool: Piscina;
  private readonly slots: WorkerSlot[] = [];
  private readonly configIds = new Map<unknown, number>();
  private closing?: Promise<void>;
  private requestSeq = 0;

  constructor(options: PoolExecutorOptions = {}) {
    const threads = Math.max(1, options.threads ?? 1);
    const entry = workerEntry();
    const filename = entry.filename;
    const execArgv = options.execArgv ?? entry.execArgv;
    this.pool = new Piscina({
      filename, execArgv, minThreads: threads, maxThreads: threads, concurrentTasksPerWorker: 1, idleTimeout: Infinity,
      resourceLimits: { maxYoungGenerationSizeMb: options.youngGenerationMb ?? DEFAULT_WORKER_YOUNG_GENERATION_MB },
    });
    for (let i = 0; i < threads; i++) this.slots.push(this.startSlot());
  }

  spawn(spec: PeerSpec): PeerHandle {
    const slot = this.leastLoaded();
    const { config, ...rest } = spec;
    const configId = this.sendConfig(slot, config);
    const handle = this.registry.add(spec.id, formatAddress(spec.host, spec.port), slot);
    slot.peers++;
    void handle.done.then(() => slot.peers--);
    slot.post({ type: 'spawn', spec: rest, configId });
    return handle;
  }

  listen(spec: ListenSpec): Promise<Listener> {
    const slot = this.leastLoaded();
    const { config, ...rest } = spec;
    const configId = this.sendConfig(slot, config);
    return new Promise<number>((resolve, reject) => {
      slot.listening.set(spec.id, { resolve, reject });
      slot.post({ type: 'listen', spec: rest, configId });
    }).then((port) => ({
      id: spec.id,
      port,
      close: () =>
        new Promise<void>((resolve) => {
          if (!slot.alive) return resolve();
          slot.unlistening.set(spec.id, resolve);
          slot.post({ type: 'unlisten', id: spec.id });
        }),
    }));
  }

  /** Peers running on each worker, in worker order. */
  get workerLoad(): number[] {
    return this.slots.map((s) => s.peers);
  }

  peer(id: string): PeerHandle | undefined {
    return this.registry.get(id);
  }

  /** A full collection in every worker, and here. */
  async collectGarbage(): Promise<void> {
    await Promise.all(this.slots.filter((s) => s.alive).map((slot) => this.ask(slot, (id) => ({ type: 'gc', id }))));
    collectGarbage();
  }

  /** Each live worker's heap, in worker order. */
  heapStatistics(): Promise<HeapStatistics[]> {
    return Promise.all(this.slots.filter((s) => s.alive).map((slot) => this.ask<HeapStatistics>(slot, (id) => ({ type: 'heap', id }))));
  }

  /** One snapshot per live worker (the main thread's own heap is not included). */
  writeHeapSnapshots(directory: string): Promise<string[]> {
    return Promise.all(
      this.slots.filter((s) => s.alive).map((slot, i) =>
        this.ask<string>(slot, (id) => ({ type: 'heap-snapshot', id, file: join(directory, `peerscope-${process.pid}-worker-${i}.heapsnapshot`) })),
      ),
    );
  }

  /** A request the worker answers with the same id. */
  private ask<T = void>(slot: WorkerSlot, request: (id: number) => WorkerCommand): Promise<T> {
    return new Promise<T>((resolve) => {
      const id = ++this.requestSeq;
      slot.answers.set(id, resolve as (value: unknown) => void);
      slot.post(request(id));
    });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.registry.stopAll();
      for (const slot of this.slots) slot.post({ type: 'close' });
      await Promise.all(this.slots.map((s) => s.task.catch(() => {})));
      await this.pool.destroy();
      this.registry.complete();
    })();
    return this.closing;
  }

  private startSlot(): WorkerSlot {
    const { port1, port2 } = new MessageChannel();
    const slot = new WorkerSlot(port1, (transfer) => this.pool.run({ port: transfer }, { transferList: [transfer] }), port2);
    port1.on('message', (report: WorkerReport) => this.onReport(slot, report));
    slot.task.then(
      () => port1.close(),
      (err: Error) => this.crashed(slot, err),
    );
    return slot;
  }

  private onReport(slot: WorkerSlot, report: WorkerReport): void {
    switch (report.type) {
      case 'events':
        return this.registry.deliver(slot.unpacker.unpack(report.packed), slot);
      case 'listening':
        slot.listening.get(report.id)?.resolve(report.port);
        slot.listening.delete(report.id);
        return;
      case 'listen-failed': {
        const err = Object.assign(new Error(report.message), { code: report.code });
        slot.listening.get(report.id)?.reject(err);
        slot.listening.delete(report.id);
        return;
      }
      case 'gc-done':
      case 'heap':
      case 'heap-snapshot':
        slot.answers.get(report.id)?.(report.type === 'heap' ? report.heap : report.type === 'heap-snapshot' ? report.file : undefined);
        slot.answers.delete(report.id);
        return;
      case 'unlistened':
        slot.unlistening.get(report.id)?.();
        slot.unlistening.delete(report.id);
        return;
    }
  }

  /** The worker died: every peer on it is gone, its listeners too; a fresh worker takes its place. */
  private crashed(slot: WorkerSlot, err: Error): void {
    slot.alive = false;
    slot.port.close();
    this.registry.fail(slot, 'worker-crash', err.message);
    for (const { reject } of slot.listening.values()) reject(err);
    for (const resolve of slot.unlistening.values()) resolve();
    for (const resolve of slot.answers.values()) resolve(undefined);
    const i = this.slots.indexOf(slot);
    if (i >= 0 && !this.closing) this.slots[i] = this.startSlot();
    else if (i >= 0) this.slots.splice(i, 1);
  }

  private leastLoaded(): WorkerSlot {
    let best = this.slots[0];
    for (const s of this.slots) if (s.alive && (!best.alive || s.peers < best.peers)) best = s;
    return best;
  }

  /** Configs are sent once per worker, by identity: the peers of one session share one object. */
  private sendConfig(slot: WorkerSlot, config: unknown): number {
    let id = this.configIds.get(config);
    if (id === undefined) this.configIds.set(config, (id = this.configIds.size + 1));
    if (!slot.configsSent.has(id)) {
      slot.configsSent.add(id);
      slot.post({ type: 'config', id, config });
    }
    return id;
  }
}
