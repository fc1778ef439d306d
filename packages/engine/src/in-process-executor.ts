import { join } from 'node:path';
import v8 from 'node:v8';
import type { Executor, HeapStatistics, ListenSpec, Listener, PeerHandle, PeerSpec } from './executor.js';
import { formatAddress } from './address.js';
import { collectGarbage, heapStatistics } from './collect-garbage.js';
import { PeerHost } from './peer-host.js';
import { PeerRegistry, type PeerControl } from './peer-registry.js';

/** Runs peer machines on this thread: for embedding, debugging (`--threads 0`) and tests. */
export class InProcessExecutor implements Executor {
  private readonly registry = new PeerRegistry();
  private readonly host: PeerHost;
  private readonly control: PeerControl;
  readonly batches$ = this.registry.batches$;
  readonly events$ = this.registry.events$;

  constructor() {
    this.control = { command: (id, c) => this.host.command(id, c), stop: (id) => this.host.stop(id) };
    this.host = new PeerHost((events) => this.registry.deliver(events, this.control));
  }

  spawn(spec: PeerSpec): PeerHandle {
    const handle = this.registry.add(spec.id, formatAddress(spec.host, spec.port), this.control);
    this.host.spawn(spec);
    return handle;
  }

  async listen(spec: ListenSpec): Promise<Listener> {
    const port = await this.host.listen(spec);
    return { id: spec.id, port, close: () => this.host.unlisten(spec.id) };
  }

  peer(id: string): PeerHandle | undefined {
    return this.registry.get(id);
  }

  async collectGarbage(): Promise<void> {
    collectGarbage();
  }

  async heapStatistics(): Promise<HeapStatistics[]> {
    return [heapStatistics()];
  }

  async writeHeapSnapshots(directory: string): Promise<string[]> {
    return [v8.writeHeapSnapshot(join(directory, `peerscope-${process.pid}-main.heapsnapshot`))];
  }

  async close(): Promise<void> {
    await this.host.close();
    await this.registry.stopAll();
    this.registry.complete();
  }
}
